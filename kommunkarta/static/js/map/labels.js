/* Names on the map when zoomed in, for finding one's way without a base map: municipality
 * names from zoom LABEL_ZOOM on, county names whenever counties are drawn. The labels take
 * no pointer events and no focus; a light halo keeps them readable over every fill. */

/* global L */

import { getJSON } from "./common.js";

const LABEL_ZOOM = 7;

/** Labels for `level` at the points of `config.labelsUrl`, named from `names`; returns
 * update(level), which shows or hides them for the current zoom and level. */
export function addLabels(map, config, names) {
  const pane = map.createPane("labels");
  pane.style.zIndex = 450;
  pane.style.pointerEvents = "none";
  const groups = {};
  let shown = null;

  function group(level) {
    if (!groups[level]) {
      groups[level] = getJSON(config.labelsUrl[level]).then((points) => {
        const layer = L.layerGroup();
        Object.keys(points).forEach((code) => {
          const label = document.createElement("span");
          label.textContent = names[code] || "";
          layer.addLayer(L.marker(points[code], {
            pane: "labels",
            interactive: false,
            keyboard: false,
            icon: L.divIcon({ className: "area-label area-label-" + level, html: label, iconSize: null }),
          }));
        });
        return layer;
      });
    }
    return groups[level];
  }

  let wanted = null;
  function update(level) {
    const zoom = map.getZoom();
    wanted = level === "region" || zoom >= LABEL_ZOOM ? level : null;
    if (shown && shown.level !== wanted) {
      map.removeLayer(shown.layer);
      map.getContainer().removeAttribute("data-labels");
      shown = null;
    }
    if (!wanted || shown) return;
    const asked = wanted;
    group(asked).then((layer) => {
      if (wanted !== asked || shown) return;
      layer.addTo(map);
      shown = { level: asked, layer: layer };
      map.getContainer().setAttribute("data-labels", asked);
    });
  }
  return update;
}
