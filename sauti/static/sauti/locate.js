/* Report forms: "Use my location" fills latitude and longitude from the phone's GPS and says which ward
   that is (/places/at.json). Progressive enhancement: without JavaScript or GPS the button stays hidden
   and typing the place works as before. Words come from data-* attributes (translated by the server). */
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var status = document.getElementById("location-status");
  if (!button || !lat || !lon || !status || !navigator.geolocation || !window.fetch) return;
  button.hidden = false;

  function say(text) {
    status.textContent = text;
  }

  button.addEventListener("click", function () {
    say(button.getAttribute("data-finding"));
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var la = position.coords.latitude.toFixed(5);
        var lo = position.coords.longitude.toFixed(5);
        lat.value = la;
        lon.value = lo;
        var details = lat.closest("details");
        if (details) details.open = true;
        fetch(button.getAttribute("data-at") + "?lat=" + la + "&lon=" + lo, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { result: null }; })
          .then(function (body) {
            var ward = body && body.result;
            if (ward) {
              say(button.getAttribute("data-found") + " " + ward.name + ", " + ward.constituency_name + ", " + ward.county_name);
            } else {
              say(button.getAttribute("data-outside"));
            }
          })
          .catch(function () { say(button.getAttribute("data-saved")); });
      },
      function () { say(button.getAttribute("data-denied")); },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });
})();
