// Voting works without JavaScript (plain forms); with htmx the next statement replaces the card in place.
// htmx leaves 4xx responses unswapped by default: show the reason instead.
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail && event.detail.target;
  if (target && target.id === "vote-card" && event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
