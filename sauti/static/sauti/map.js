/* Sauti case map: county and ward choropleth, clustered cases, lists of cases on click.
 *
 * Reads its settings from <script id="map-config" type="application/json"> (map.html, public_map.html):
 * data URLs, the filters as a query string, optional tile layer, and every word it shows (translated by
 * the server). All figures are computed by the server; without JavaScript the page's tables show them.
 * Text from the server is only ever set with textContent, never as HTML.
 */
(function () {
  "use strict";

  var configNode = document.getElementById("map-config");
  var node = document.getElementById("map");
  if (!configNode || !node || !window.L || !window.SautiMap || !window.fetch) return;
  var L = window.L;
  var M = window.SautiMap;
  var el = M.el;
  var getJSON = M.getJSON;
  var label = M.label;
  var cfg = JSON.parse(configNode.textContent);
  var T = cfg.labels;
  var WARD_ZOOM = 9;
  // Names written on the map (labelled outlines read without any base map): counties below WARD_ZOOM,
  // wards from WARD_LABEL_ZOOM, where they no longer crowd each other; settlements later (mapkit.js).
  var COUNTY_LABEL_ZOOM = 7;
  var WARD_LABEL_ZOOM = 12;
  var MAX_WARD_COUNTIES = 8;
  var COLOURS = ["#fdcc8a", "#fc9f67", "#f4743f", "#d7301f", "#990000"];
  var ZERO = "#f2f1ec";

  // Open on the organisation's area of operation (its counties and wards), else on all Kenya.
  var map = M.base(node, cfg.tiles, cfg.bounds);
  map.createPane("areas").style.zIndex = 350;
  map.createPane("wards").style.zIndex = 360;
  var places = M.settlements(map, cfg.urls.settlements);

  // --- helpers -----------------------------------------------------------------------------------

  function dataUrl(base, params) {
    var parts = [];
    if (cfg.query) parts.push(cfg.query);
    Object.keys(params || {}).forEach(function (k) {
      parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    });
    return base + (parts.length ? "?" + parts.join("&") : "");
  }

  var message = L.control({ position: "topright" });
  var messageBox = el("div", "map-msg");
  message.onAdd = function () { return messageBox; };
  function say(text, bad) {
    if (!text) { message.remove(); return; }
    messageBox.className = "map-msg" + (bad ? " bad" : "");
    messageBox.textContent = text;
    message.addTo(map);
  }
  function failed(error) { say(T.failed + (error && error.message ? " (" + error.message + ")" : ""), true); }

  function fmt(n) { return Number(n).toLocaleString(); }

  function monthLabel(yyyymm) {
    var parts = String(yyyymm).split("-");
    var m = parseInt(parts[1], 10);
    return (T.months[m - 1] || parts[1]) + " " + parts[0];
  }

  // --- choropleth --------------------------------------------------------------------------------

  var counts = { county: null, ward: null };

  function colourFor(n, scale) {
    if (!n || !scale || !scale.breaks.length) return ZERO;
    var index = 0;
    var classes = scale.breaks.length;
    for (var i = 0; i < classes; i++) if (n >= scale.breaks[i]) index = i;
    // Spread the classes over the whole ramp, so that "1" is pale even when there are few classes.
    var last = COLOURS.length - 1;
    return COLOURS[classes === 1 ? Math.floor(last / 2) : Math.round((index * last) / (classes - 1))];
  }

  function countOf(level, code) {
    var scale = counts[level];
    return (scale && scale.counts[String(code)]) || 0;
  }

  var legend = L.control({ position: "bottomright" });
  // A <details>: folded on a phone (it would hide the map), open on a wider screen; the reader decides.
  var legendBox = el("details", "map-legend");
  legendBox.open = node.clientWidth >= 600;
  L.DomEvent.disableClickPropagation(legendBox);
  legend.onAdd = function () { return legendBox; };
  function drawLegend(level) {
    var scale = counts[level];
    legendBox.textContent = "";
    legendBox.appendChild(el("summary", null, T.legend + (level === "ward" ? " · " + T.wardsOf : "")));
    var rows = [[ZERO, T.zero]];
    if (scale) {
      scale.breaks.forEach(function (low, i) {
        var high = i + 1 < scale.breaks.length ? scale.breaks[i + 1] - 1 : scale.max;
        rows.push([colourFor(low, scale), low === high ? fmt(low) : fmt(low) + "–" + fmt(high)]);
      });
    }
    rows.forEach(function (row) {
      var line = el("div");
      var key = el("span", "key");
      key.style.background = row[0];
      line.appendChild(key);
      line.appendChild(document.createTextNode(row[1]));
      legendBox.appendChild(line);
    });
    legend.addTo(map);
  }

  function tip(level) {
    return function (layer) {
      var n = countOf(level, layer.feature.properties.code);
      return el("span", null, layer.feature.properties.name + ": " + fmt(n) + " " + T.cases);
    };
  }

  var countyLayer = null;
  var wardLayers = {};
  var countyLabels = L.layerGroup();
  var wardLabels = {};

  function showLabels() {
    var zoom = map.getZoom();
    var counties = zoom >= COUNTY_LABEL_ZOOM && zoom < WARD_ZOOM;
    if (counties && !map.hasLayer(countyLabels)) countyLabels.addTo(map);
    if (!counties && map.hasLayer(countyLabels)) map.removeLayer(countyLabels);
    Object.keys(wardLabels).forEach(function (code) {
      var layer = wardLabels[code];
      var wanted = zoom >= WARD_LABEL_ZOOM;
      if (wanted && !map.hasLayer(layer)) layer.addTo(map);
      if (!wanted && map.hasLayer(layer)) map.removeLayer(layer);
    });
  }

  function countyStyle(feature) {
    var wardView = map.getZoom() >= WARD_ZOOM;
    return {
      pane: "areas",
      color: "#5b636b",
      weight: wardView ? 2 : 1,
      fillColor: colourFor(countOf("county", feature.properties.code), counts.county),
      fillOpacity: wardView ? 0 : 0.8,
    };
  }

  function wardStyle(feature) {
    return {
      pane: "wards",
      color: "#8a9299",
      weight: 0.8,
      fillColor: colourFor(countOf("ward", feature.properties.code), counts.ward),
      fillOpacity: 0.8,
    };
  }

  function restyle() {
    if (countyLayer) countyLayer.setStyle(countyStyle);
    Object.keys(wardLayers).forEach(function (code) {
      if (wardLayers[code] !== "loading") wardLayers[code].setStyle(wardStyle);
    });
  }

  function loadCounts() {
    return Promise.all([
      getJSON(dataUrl(cfg.urls.counts, { level: "county" })),
      getJSON(dataUrl(cfg.urls.counts, { level: "ward" })),
    ]).then(function (both) {
      counts.county = both[0];
      counts.ward = both[1];
      restyle();
      drawLegend(map.getZoom() >= WARD_ZOOM ? "ward" : "county");
    });
  }

  function loadCounties() {
    return getJSON(cfg.urls.counties).then(function (geo) {
      countyLayer = L.geoJSON(geo, {
        style: countyStyle,
        onEachFeature: function (feature, layer) {
          var name = label(feature);
          if (name) countyLabels.addLayer(name);
          layer.bindTooltip(tip("county"), { sticky: true, className: "area-tip" });
          layer.on("click", function () {
            if (map.getZoom() < WARD_ZOOM) map.fitBounds(layer.getBounds());
          });
        },
      }).addTo(map);
      if (cfg.county) {
        countyLayer.eachLayer(function (layer) {
          if (layer.feature.properties.code === cfg.county) map.fitBounds(layer.getBounds());
        });
      }
    });
  }

  function loadWards(code) {
    if (wardLayers[code]) return;
    wardLayers[code] = "loading";
    places.load(code);
    getJSON(cfg.urls.wards + "?county=" + encodeURIComponent(code)).then(function (geo) {
      var names = L.layerGroup();
      wardLabels[code] = names;
      var layer = L.geoJSON(geo, {
        style: wardStyle,
        onEachFeature: function (feature, layer) {
          var name = label(feature);
          if (name) names.addLayer(name);
          layer.bindTooltip(tip("ward"), { sticky: true, className: "area-tip" });
          layer.on("click", function (event) {
            showCases(event.latlng, { ward: feature.properties.code }, feature.properties.name);
          });
        },
      });
      wardLayers[code] = layer;
      if (map.getZoom() >= WARD_ZOOM) layer.addTo(map);
      showLabels();
    }, function (error) {
      delete wardLayers[code];
      failed(error);
    });
  }

  function showWards() {
    var wardView = map.getZoom() >= WARD_ZOOM;
    if (countyLayer) {
      var view = map.getBounds();
      var wanted = [];
      countyLayer.eachLayer(function (layer) {
        if (wardView && layer.getBounds().intersects(view)) wanted.push(layer.feature.properties.code);
      });
      if (wanted.length <= MAX_WARD_COUNTIES) wanted.forEach(loadWards);
    }
    Object.keys(wardLayers).forEach(function (code) {
      var layer = wardLayers[code];
      if (layer === "loading") return;
      if (wardView && !map.hasLayer(layer)) layer.addTo(map);
      if (!wardView && map.hasLayer(layer)) map.removeLayer(layer);
    });
    restyle();
    showLabels();
    if (counts.county) drawLegend(wardView ? "ward" : "county");
  }

  // --- clusters ----------------------------------------------------------------------------------

  var clusterLayer = L.layerGroup().addTo(map);
  var asked = 0;

  function bboxOfView() {
    var b = map.getBounds();
    var clamp = function (v, lo, hi) { return Math.max(lo, Math.min(hi, v)); };
    return [
      clamp(b.getWest(), -180, 179.999), clamp(b.getSouth(), -90, 89.999),
      clamp(b.getEast(), -179.999, 180), clamp(b.getNorth(), -89.999, 90),
    ].map(function (v) { return v.toFixed(5); }).join(",");
  }

  function clusterIcon(n) {
    var size = n < 10 ? "s" : n < 100 ? "m" : "l";
    var px = { s: 26, m: 34, l: 42 }[size];
    var label = el("span", null, n > 9999 ? Math.round(n / 1000) + "k" : fmt(n));
    return L.divIcon({ className: "cluster " + size, html: label, iconSize: [px, px] });
  }

  function loadClusters() {
    var mine = ++asked;
    var zoom = map.getZoom();
    getJSON(dataUrl(cfg.urls.clusters, { zoom: zoom, bbox: bboxOfView() })).then(function (data) {
      if (mine !== asked) return;
      clusterLayer.clearLayers();
      data.clusters.forEach(function (c) {
        var marker = L.marker([c[0], c[1]], {
          icon: clusterIcon(c[2]),
          title: fmt(c[2]) + " " + T.cases,
          alt: fmt(c[2]) + " " + T.cases,
          keyboard: true,
        });
        marker.on("click", function () {
          showCases(marker.getLatLng(), { zoom: data.zoom, cell: c[3] + "," + c[4] }, null, c[2] > 1);
        });
        clusterLayer.addLayer(marker);
      });
      data.points.forEach(function (p) {
        var dot = L.circleMarker([p[0], p[1]], {
          radius: 7, color: "#fff", weight: 2, fillColor: "#0b6e4f", fillOpacity: 0.95,
        });
        dot.on("click", function () { showCases(dot.getLatLng(), { "case": p[2] }); });
        clusterLayer.addLayer(dot);
      });
      say("");
    }, failed);
  }

  // --- lists of cases ----------------------------------------------------------------------------

  function caseItem(c) {
    var item = el("li");
    if (cfg.public) {
      item.appendChild(el("strong", null, T.category[c.category] || c.category));
      var place = [c.ward, c.county].filter(Boolean).join(", ");
      item.appendChild(el("span", "meta", [place, T.status[c.status] || c.status, monthLabel(c.month)].filter(Boolean).join(" · ")));
    } else {
      var link = el("a", null, c.ref + " " + c.title);
      link.href = c.url;
      item.appendChild(link);
      item.appendChild(el("span", "meta", [T.status[c.status] || c.status, c.category, c.place].filter(Boolean).join(" · ")));
    }
    return item;
  }

  function showCases(latlng, params, heading, canZoom) {
    var box = el("div", "case-popup", T.loading);
    L.popup({ maxWidth: 320, maxHeight: 280, autoPanPadding: [20, 20] }).setLatLng(latlng).setContent(box).openOn(map);
    getJSON(dataUrl(cfg.urls.cases, params)).then(function (data) {
      box.textContent = "";
      if (heading) box.appendChild(el("strong", null, heading));
      if (!data.cases.length) { box.appendChild(el("p", null, T.noCases)); return; }
      var list = el("ul");
      data.cases.forEach(function (c) { list.appendChild(caseItem(c)); });
      box.appendChild(list);
      if (data.more) box.appendChild(el("p", "meta", T.more));
      if (canZoom && map.getZoom() < map.getMaxZoom()) {
        var zoom = el("button", null, T.zoomIn);
        zoom.type = "button";
        zoom.addEventListener("click", function () { map.closePopup(); map.setView(latlng, map.getZoom() + 2); });
        box.appendChild(zoom);
      }
    }, function (error) { box.textContent = T.failed + " (" + error.message + ")"; });
  }

  // --- wiring ------------------------------------------------------------------------------------

  var pending = null;
  map.on("moveend", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { showWards(); loadClusters(); }, 150);
  });

  say(T.loading);
  Promise.all([loadCounties(), loadCounts()]).then(function () {
    showWards();
    loadClusters();
  }, failed);
})();
