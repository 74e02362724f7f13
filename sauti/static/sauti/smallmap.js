/* The small map of one place (case page, reporter's status page): the ward and the wards around it,
 * named, and the reported point or the settlement. Settings and words come from
 * <script id="place-map-config" type="application/json"> (monitoring/maps.py). Until it runs, and without
 * JavaScript, the page shows the server-drawn sketch instead (.ward-sketch), if any.
 */
(function () {
  "use strict";
  var configNode = document.getElementById("place-map-config");
  var node = document.getElementById("place-map");
  if (!configNode || !node || !window.L || !window.SautiMap) return;
  var L = window.L;
  var M = window.SautiMap;
  var cfg = JSON.parse(configNode.textContent);
  try {
    var outlines = L.geoJSON(cfg.outlines, {
      style: function (feature) {
        return feature.properties.main
          ? { color: "#990000", weight: 2, fillColor: "#fdcc8a", fillOpacity: 0.45 }
          : { color: "#9aa3ab", weight: 1, fillColor: "#f2f1ec", fillOpacity: cfg.tiles ? 0 : 0.6 };
      },
      interactive: false,
    });
    var main = null;
    outlines.eachLayer(function (layer) { if (layer.feature.properties.main) main = layer; });
    var at = cfg.point || cfg.settlement;
    var bounds = main ? main.getBounds() : L.latLngBounds([at, at]).pad(0.01);
    if (at) bounds.extend(at);
    var map = M.base(node, cfg.tiles, bounds, { scrollWheelZoom: false });
    if (!main) map.setZoom(15);
    outlines.addTo(map);
    outlines.eachLayer(function (layer) {
      var name = M.label(layer.feature);
      if (name) name.addTo(map);
    });
    if (cfg.point) {
      M.dot(cfg.point, "#0b6e4f", 7).bindTooltip(cfg.labels.point).addTo(map);
    } else if (cfg.settlement) {
      M.dot(cfg.settlement, "#0b6e4f", 6).addTo(map);
      M.nameAt(cfg.settlement, cfg.settlement[2], "settlement-label").addTo(map);
    }
    var sketch = document.querySelector(".ward-sketch");
    if (sketch) sketch.hidden = true;
  } catch (error) {
    node.classList.remove("is-live");  // the sketch stays
  }
})();
