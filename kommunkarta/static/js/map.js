/* Kommunkartan's map, as ES modules (no build step). Folium's inline set-up script runs
 * before this deferred module, so it queues each map with `Kommunkarta.mountMap(map, config)`
 * (see map_builder.py); here every queued map is mounted, and later calls mount at once.
 * Then each "find a place" form on the page becomes a combobox that shows its choice on the
 * page's main map, if there is one.
 *
 *   map/common.js      helpers, class breaks, legend, info box, keyboard, markers
 *   map/choropleth.js  the main map: counts, restyling in place, summary, table, address
 *   map/panel.js       the main map's side panel (a bottom sheet on phones) and neighbours
 *   map/labels.js      place names when zoomed in
 *   map/coverage.js    view=coverage: every municipality by its state (imported when shown)
 *   map/compact.js     the small maps of county pages and the embed (imported when shown)
 *   map/search.js      the "find a place" combobox
 */

import { mountChoropleth } from "./map/choropleth.js";
import { mountSearch } from "./map/search.js";

let mainMap = null;

/* The compact and coverage modes are imported only where a page shows them (the page's head
 * preloads the one it needs), so that the main map waits for neither. */
function mountMap(map, config) {
  if (config.compact) return import("./map/compact.js").then((mode) => mode.mountCompact(map, config));
  if (config.view === "coverage") return import("./map/coverage.js").then((mode) => mode.mountCoverage(map, config));
  mainMap = mountChoropleth(map, config);
  return mainMap;
}

const K = (window.Kommunkarta = window.Kommunkarta || {});
const waiting = K.pending || [];
K.pending = [];
K.mountMap = mountMap;
waiting.forEach(([map, config]) => mountMap(map, config));

document.querySelectorAll("form[data-place-search]").forEach((form) => {
  mountSearch(form, mainMap ? mainMap.showPlace : null);
});

/* On a phone the map comes first: the filters fold away behind a labelled button. */
const toggle = document.getElementById("filters-toggle");
const layout = document.querySelector(".map-layout");
if (toggle && layout) {
  const narrow = window.matchMedia("(max-width: 30rem)");
  const fold = () => {
    toggle.hidden = !narrow.matches;
    layout.classList.toggle("filters-folded", narrow.matches && toggle.getAttribute("aria-expanded") !== "true");
  };
  toggle.addEventListener("click", () => {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
    fold();
  });
  narrow.addEventListener("change", fold);
  fold();
}
const filters = document.getElementById("filters");
if (toggle && filters) {
  // on a phone, showing the choice folds the filters away again, back to the map
  filters.addEventListener("submit", () => {
    if (toggle.hidden || toggle.getAttribute("aria-expanded") !== "true") return;
    toggle.click();
    toggle.focus();
  });
}
