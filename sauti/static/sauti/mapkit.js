/* What every Sauti map shares (map.js, smallmap.js, the pin of locate.js): the base map (tiles only when
 * the server names a tile server; without one the labelled outlines are the map), names written on the
 * map, settlements as labelled dots, and small DOM and fetch helpers. Needs Leaflet (window.L) first.
 * Text from the server is only ever set with textContent, never as HTML.
 */
(function () {
  "use strict";
  var L = window.L;
  if (!L) return;

  var KENYA = [[-4.75, 33.9], [5.05, 41.95]];
  // Settlements are drawn as labelled dots from this zoom: below it Nairobi's 75 would cover each other.
  var SETTLEMENT_ZOOM = 14;

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          return response.json().then(
            function (body) { throw new Error(body.error || String(response.status)); },
            function () { throw new Error(String(response.status)); }
          );
        }
        return response.json();
      }
    );
  }

  /* A Leaflet map in `node`, opened on `bounds` (else all Kenya), with the configured tiles if any. */
  function base(node, tiles, bounds, options) {
    node.classList.add("is-live");
    var map = L.map(node, Object.assign({ minZoom: 5, maxZoom: 18, zoomSnap: 1, worldCopyJump: false }, options || {}));
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    map.fitBounds(bounds || KENYA);
    if (tiles && tiles.url) {
      L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 18 }).addTo(map);
    }
    return map;
  }

  /* A name written on the map at `at` (dark text, light halo: readable over tiles or none). */
  function nameAt(at, name, className) {
    return L.marker(at, {
      icon: L.divIcon({ className: className || "area-label", html: el("span", null, name), iconSize: null }),
      interactive: false,
      keyboard: false,
    });
  }

  /* The outline's name at its label point (computed by the server, inside the outline). */
  function label(feature) {
    var at = feature.properties.label;
    return at ? nameAt(at, feature.properties.name) : null;
  }

  function dot(at, colour, radius) {
    return L.circleMarker(at, { radius: radius || 4, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 1 });
  }

  /* Settlements of one county ([[lat, lon, name], …] from `url`) as labelled dots, shown from
   * SETTLEMENT_ZOOM; `load(county)` fetches each county once. */
  function settlements(map, url) {
    var loaded = {};
    var group = L.layerGroup();
    function show() {
      var wanted = map.getZoom() >= SETTLEMENT_ZOOM;
      if (wanted && !map.hasLayer(group)) group.addTo(map);
      if (!wanted && map.hasLayer(group)) map.removeLayer(group);
    }
    map.on("zoomend", show);
    return {
      load: function (county) {
        if (!url || loaded[county]) return;
        loaded[county] = true;
        getJSON(url + "?county=" + encodeURIComponent(county)).then(function (body) {
          body.settlements.forEach(function (s) {
            group.addLayer(dot([s[0], s[1]], "#5b636b", 3).bindTooltip(s[2]));
            group.addLayer(nameAt([s[0], s[1]], s[2], "settlement-label"));
          });
          show();
        }, function () { delete loaded[county]; });
      },
      show: show,
    };
  }

  window.SautiMap = {
    KENYA: KENYA, el: el, getJSON: getJSON, base: base, nameAt: nameAt, label: label, dot: dot,
    settlements: settlements,
  };
})();
