/* The compact map: a small map of one county's municipalities (or of one municipality, for
 * the embed); selecting a municipality opens its page. */

/* global L */

import {
  addLegend, addScale, areaStyle, countText, createInfo, getBoundaries, getJSON, keyboardAreas, openPage,
  pointClusters, pointMarker,
} from "./common.js";

/** The located initiatives of a compact map (config.pointsUrl), clustered. */
function addPoints(map, config) {
  return Promise.all([pointClusters(config), getJSON(config.pointsUrl)]).then(([points, rows]) => {
    rows.forEach((row) => points.addLayer(pointMarker(row, config)));
    map.addLayer(points);
    map.getContainer().setAttribute("data-points", String(rows.length));
  });
}

export function mountCompact(map, config) {
  const mapNode = map.getContainer();
  // one municipality alone has nothing to compare its shade with
  const drawLegend = config.municipality ? () => {} : addLegend(map, config);
  addScale(map);
  const info = createInfo(map);
  let layer = null;
  const describe = (area) => {
    const p = area.feature.properties;
    return p.name + ": " + countText(config, config.countsByCode[p.code] || 0);
  };
  const open = (area) => {
    openPage(config, config.placeUrl.municipality + area.feature.properties.code + "?lang=" + config.lang);
  };
  keyboardAreas(map, config, info, () => layer, describe, open);
  return getBoundaries(config.boundaries.municipality).then((data) => {
    layer = L.geoJSON(data, {
      filter: (feature) => {
        const p = feature.properties;
        return config.municipality ? p.code === config.municipality : p.region_code === config.region;
      },
      style: areaStyle(config.countsByCode, config.classes, config),
      onEachFeature: (feature, area) => {
        area.on("click", () => open(area));
        area.on("mouseover", () => info.show(describe(area)));
        area.on("mouseout", () => info.clear());
      },
    }).addTo(map);
    drawLegend(config.classes);
    mapNode.setAttribute("data-features", String(layer.getLayers().length));
    mapNode.setAttribute("data-ready", "true");
    if (config.pointsUrl) return addPoints(map, config);
    return undefined;
  });
}
