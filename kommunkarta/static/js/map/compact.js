/* The compact map: a small map of one county's municipalities (or of one municipality, for
 * the embed); selecting a municipality opens its page. */

/* global L */

import {
  addLegend, areaStyle, countText, el, getJSON, openPage, pointClusters, pointMarker,
} from "./common.js";

/** The located initiatives of a compact map (config.pointsUrl), clustered. */
function addPoints(map, config) {
  const points = pointClusters();
  return getJSON(config.pointsUrl).then((rows) => {
    rows.forEach((row) => points.addLayer(pointMarker(row, config)));
    map.addLayer(points);
    map.getContainer().setAttribute("data-points", String(rows.length));
  });
}

export function mountCompact(map, config) {
  const mapNode = map.getContainer();
  // one municipality alone has nothing to compare its shade with
  const drawLegend = config.municipality ? () => {} : addLegend(map, config);
  return getJSON(config.boundaries.municipality).then((data) => {
    const layer = L.geoJSON(data, {
      filter: (feature) => {
        const p = feature.properties;
        return config.municipality ? p.code === config.municipality : p.region_code === config.region;
      },
      style: areaStyle(config.counts, config.classes, config),
      onEachFeature: (feature, area) => {
        const p = feature.properties;
        area.bindTooltip(() => {
          const box = el("div");
          box.appendChild(el("strong", {}, p.name));
          box.appendChild(el("div", {}, countText(config.text, config.counts[p.code] || 0)));
          return box;
        }, { sticky: true });
        area.on("click", () => openPage(config, config.placeUrl.municipality + p.code + "?lang=" + config.lang));
      },
    }).addTo(map);
    drawLegend(config.classes);
    mapNode.setAttribute("data-features", String(layer.getLayers().length));
    mapNode.setAttribute("data-ready", "true");
    if (config.pointsUrl) return addPoints(map, config);
    return undefined;
  });
}
