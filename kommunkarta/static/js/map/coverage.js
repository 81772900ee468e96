/* The coverage mode (view=coverage): every municipality shaded by its state — reports,
 * confirmed none, stale, unknown — told apart by fill, outline and hatching, not colour alone. */

/* global L */

import {
  addScale, createInfo, el, fill, formatNumber, getBoundaries, keyboardAreas, legendBox, openPage, queryFrom,
  showError,
} from "./common.js";

const SVG = "http://www.w3.org/2000/svg";

function svgNode(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  Object.keys(attrs).forEach((key) => node.setAttribute(key, attrs[key]));
  return node;
}

/** Defines, once in `svg`, diagonal stripes over `look.fill` under the id `id`. */
function hatchPattern(svg, id, look) {
  if (svg.querySelector("#" + id)) return;
  const defs = svg.querySelector("defs") || svg.insertBefore(svgNode("defs", {}), svg.firstChild);
  const pattern = svgNode("pattern", {
    id: id, patternUnits: "userSpaceOnUse", width: 6, height: 6, patternTransform: "rotate(45)",
  });
  pattern.appendChild(svgNode("rect", { width: 6, height: 6, fill: look.fill }));
  pattern.appendChild(svgNode("line", { x1: 1, y1: 0, x2: 1, y2: 6, stroke: look.stroke, "stroke-width": 1.5 }));
  defs.appendChild(pattern);
}

/** A legend swatch drawn like the areas of state `look`: fill, outline dashes, hatching. */
function coverageSwatch(look) {
  const svg = svgNode("svg", { width: 28, height: 16, viewBox: "0 0 28 16", "aria-hidden": "true", class: "swatch-svg" });
  if (look.hatch) hatchPattern(svg, "kk-hatch-legend-" + look.key, look);
  svg.appendChild(svgNode("rect", {
    x: 1, y: 1, width: 26, height: 14,
    fill: look.hatch ? "url(#kk-hatch-legend-" + look.key + ")" : look.fill,
    stroke: look.stroke === "#ffffff" ? "#1b1f24" : look.stroke,
    "stroke-width": 1.5, "stroke-dasharray": look.dash || "none",
  }));
  return svg;
}

function addCoverageLegend(map, config) {
  const { body } = legendBox(map, config.text.coverage_title, "coverage-legend");
  config.coverageStates.forEach((look) => {
    const row = el("div", { class: "legend-row", "data-state": look.key });
    row.appendChild(coverageSwatch(look));
    row.appendChild(document.createTextNode(look.label + " (" + formatNumber(look.count, config.lang) + ")"));
    body.appendChild(row);
  });
}

export function mountCoverage(map, config) {
  const mapNode = map.getContainer();
  const looks = {};
  config.coverageStates.forEach((look) => { looks[look.key] = look; });
  const entryFor = (code) => config.coverage[code] || ["unknown", ""];
  mapNode.setAttribute("data-view", "coverage");
  addCoverageLegend(map, config);
  addScale(map);
  const info = createInfo(map);
  let layer = null;

  function style(feature) {
    const look = looks[entryFor(feature.properties.code)[0]];
    return {
      fillColor: look.hatch ? "url(#kk-hatch-map-" + look.key + ")" : look.fill,
      fillOpacity: 0.9,
      color: look.stroke,
      opacity: 1,
      weight: look.dash ? 1.4 : 0.8,
      dashArray: look.dash,
    };
  }

  function describe(area) {
    const p = area.feature.properties;
    const entry = entryFor(p.code);
    const look = looks[entry[0]];
    let line = p.name + ": " + look.label;
    if (entry[1] && look.dateText) line += " (" + fill(look.dateText, { date: entry[1] }) + ")";
    return line;
  }

  function open(area) {
    openPage(config, config.placeUrl.municipality + area.feature.properties.code + "?lang=" + config.lang);
  }

  keyboardAreas(map, config, info, () => layer, describe, open);

  getBoundaries(config.boundaries.municipality).then((data) => {
    layer = L.geoJSON(data, {
      style: style,
      onEachFeature: (feature, area) => {
        area.on("click", () => open(area));
        area.on("mouseover", () => {
          area.setStyle({ weight: 2.5, color: "#1b1f24" });
          info.show(describe(area));
        });
        area.on("mouseout", () => {
          layer.resetStyle(area);
          info.clear();
        });
      },
    }).addTo(map);
    const svg = mapNode.querySelector(".leaflet-overlay-pane svg");
    config.coverageStates.forEach((look) => {
      if (look.hatch && svg) hatchPattern(svg, "kk-hatch-map-" + look.key, look);
    });
    mapNode.setAttribute("data-features", String(layer.getLayers().length));
    mapNode.setAttribute("data-ready", "true");
  }).catch(() => showError(config.text.failed));

  // the filters do not change coverage: only switching the view leaves this mode
  const form = document.getElementById("filters");
  if (form) {
    form.addEventListener("change", (event) => {
      if (event.target && event.target.name === "view") window.location.assign("?" + queryFrom(form));
    });
  }
}
