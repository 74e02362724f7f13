/* Triage inbox: keyboard shortcuts, select-all, and tidying the rows the live poll prepends.
   The page works without this file; it only adds speed. */
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#case-list .case-row"));
  }

  function currentIndex(list) {
    var active = document.activeElement;
    var row = active && active.closest ? active.closest(".case-row") : null;
    return row ? list.indexOf(row) : -1;
  }

  function focusRow(index) {
    var list = rows();
    if (!list.length) return;
    var i = Math.max(0, Math.min(index, list.length - 1));
    var link = list[i].querySelector(".case-link");
    if (link) {
      link.focus();
      list[i].scrollIntoView({ block: "nearest" });
    }
  }

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    return tag === "INPUT" && el.type !== "checkbox" && el.type !== "radio";
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (!document.getElementById("case-list")) return;
    var target = event.target;
    if (isTyping(target)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    var list = rows();
    var index = currentIndex(list);
    switch (event.key) {
      case "j":
        focusRow(index + 1);
        break;
      case "k":
        focusRow(index < 0 ? 0 : index - 1);
        break;
      case "x": {
        if (index < 0) return;
        var box = list[index].querySelector("input.pick");
        if (box) box.checked = !box.checked;
        break;
      }
      case "o":
      case "Enter": {
        // Enter on a link or button already does the right thing.
        if (event.key === "Enter" && (target.tagName === "A" || target.tagName === "BUTTON")) return;
        if (index < 0) return;
        var link = list[index].querySelector(".case-link");
        if (link) window.location.href = link.href;
        break;
      }
      case "/": {
        var search = document.getElementById("id_q");
        if (search) search.focus();
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });

  function showSelectAll() {
    var holder = document.querySelector(".select-all");
    if (holder) holder.hidden = false;
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "select-all") {
      rows().forEach(function (row) {
        var box = row.querySelector("input.pick");
        if (box) box.checked = event.target.checked;
      });
    }
  });

  // Rows from the poll come first; drop an incoming row that is already shown unchanged, otherwise
  // drop the older copy so that the case moves to the top with its highlight.
  function tidyFresh() {
    var fresh = document.querySelectorAll("#case-list .case-row.is-fresh:not([data-tidied])");
    Array.prototype.forEach.call(fresh, function (row) {
      row.setAttribute("data-tidied", "1");
      var same = document.querySelectorAll('#case-list .case-row[data-case="' + row.getAttribute("data-case") + '"]');
      var unchanged = false;
      Array.prototype.forEach.call(same, function (other) {
        if (other === row) return;
        if (other.getAttribute("data-updated") === row.getAttribute("data-updated")) unchanged = true;
      });
      Array.prototype.forEach.call(same, function (other) {
        if (other === row) return;
        if (unchanged) return;
        var box = other.querySelector("input.pick");
        var mine = row.querySelector("input.pick");
        if (box && mine) mine.checked = box.checked;
        other.remove();
      });
      if (unchanged) row.remove();
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "case-list") tidyFresh();
    if (target && target.id === "inbox-results") showSelectAll();
  });

  // Show the reason when a filter is refused (htmx leaves 4xx responses unswapped by default).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "inbox-results" && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // No polling while the tab is hidden or the browser asks to save data (the server leaves the poller out
  // when it sends Save-Data: on); poll at once when the tab comes back.
  function savingData() {
    return !!(navigator.connection && navigator.connection.saveData);
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === "inbox-poll" && (document.hidden || savingData())) event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    var poller = document.getElementById("inbox-poll");
    if (!document.hidden && !savingData() && poller && window.htmx) window.htmx.trigger(poller, "poll-now");
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showSelectAll);
  } else {
    showSelectAll();
  }
})();
