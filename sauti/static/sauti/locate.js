/* Report forms: where it happened, as a point. "Use my location" reads the phone's GPS; "Mark on a map"
 * opens a small map (Leaflet is fetched only then, so the form stays light) where a tap sets the pin.
 * Either fills the latitude and longitude fields and says which ward the point is in (/places/at.json).
 * Progressive enhancement: without JavaScript both buttons stay hidden and typing the place works as
 * before; the server finds the ward from the submitted point in any case. Words come from the server
 * (data-* attributes and <script id="pin-config">), translated there.
 */
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var pinButton = document.getElementById("pin-open");
  var pinNode = document.getElementById("pin-map");
  var configNode = document.getElementById("pin-config");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var status = document.getElementById("location-status");
  if (!button || !lat || !lon || !status || !window.fetch) return;
  var cfg = configNode ? JSON.parse(configNode.textContent) : null;
  var map = null;
  var pin = null;
  var asked = 0;

  function say(text) {
    status.textContent = text;
  }

  function wardOf(la, lo) {
    var mine = ++asked;
    fetch(button.getAttribute("data-at") + "?lat=" + la + "&lon=" + lo, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { result: null }; })
      .then(function (body) {
        if (mine !== asked) return;  // a later tap has been answered or is on its way
        var ward = body && body.result;
        if (ward) {
          say(button.getAttribute("data-found") + " " + ward.name + ", " + ward.constituency_name + ", " + ward.county_name);
        } else {
          say(button.getAttribute("data-outside"));
        }
      })
      .catch(function () { if (mine === asked) say(button.getAttribute("data-saved")); });
  }

  function setPoint(la, lo, moveMap) {
    la = Number(la).toFixed(5);
    lo = Number(lo).toFixed(5);
    lat.value = la;
    lon.value = lo;
    var details = lat.closest("details");
    if (details) details.open = true;
    if (map) {
      var at = [Number(la), Number(lo)];
      if (pin) pin.setLatLng(at);
      else pin = window.SautiMap.dot(at, "#0b6e4f", 8).addTo(map);
      if (moveMap) map.setView(at, Math.max(map.getZoom(), 15));
    }
    wardOf(la, lo);
  }

  if (navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      say(button.getAttribute("data-finding"));
      navigator.geolocation.getCurrentPosition(
        function (position) { setPoint(position.coords.latitude, position.coords.longitude, true); },
        function () { say(button.getAttribute("data-denied")); },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
  }

  if (!pinButton || !pinNode || !cfg) return;

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var e = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      e.onload = resolve;
      e.onerror = reject;
      document.head.appendChild(e);
    });
  }

  function openMap() {
    var kit = window.SautiMap
      ? Promise.resolve()
      : Promise.all([
          load("link", { rel: "stylesheet", href: cfg.assets.leafletCss }),
          load("link", { rel: "stylesheet", href: cfg.assets.kitCss }),
          load("script", { src: cfg.assets.leaflet }).then(function () { return load("script", { src: cfg.assets.kit }); }),
        ]);
    return kit.then(function () {
      var here = lat.value && lon.value && !isNaN(lat.value) && !isNaN(lon.value) ? [Number(lat.value), Number(lon.value)] : null;
      map = window.SautiMap.base(pinNode, cfg.tiles, cfg.bounds);
      map.on("click", function (event) { setPoint(event.latlng.lat, event.latlng.lng, false); });
      if (here) setPoint(here[0], here[1], true);
      pinNode.focus();
    });
  }

  pinButton.hidden = false;
  pinButton.addEventListener("click", function () {
    if (map) return;
    pinButton.disabled = true;
    say(cfg.labels.loading);
    openMap().then(function () {
      pinButton.hidden = true;
      say(cfg.labels.tap);
    }, function () {
      pinButton.disabled = false;
      say(cfg.labels.failed);
    });
  });
})();
