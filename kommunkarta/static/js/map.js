/* Kommunkartan's map, as ES modules (no build step). Folium's inline set-up script runs
 * before this deferred module, so it queues each map with `Kommunkarta.mountMap(map, config)`
 * (see map_builder.py); here every queued map is mounted, and later calls mount at once.
 *
 *   map/common.js      helpers, class breaks, legend, markers
 *   map/choropleth.js  the main map: counts, restyling in place, summary, table, address
 *   map/panel.js       the main map's side panel and neighbours
 *   map/coverage.js    view=coverage: every municipality by its state
 *   map/compact.js     the small maps of county pages and the embed
 */

import { mountChoropleth } from "./map/choropleth.js";
import { mountCompact } from "./map/compact.js";
import { mountCoverage } from "./map/coverage.js";

function mountMap(map, config) {
  if (config.compact) return mountCompact(map, config);
  if (config.view === "coverage") return mountCoverage(map, config);
  return mountChoropleth(map, config);
}

const K = (window.Kommunkarta = window.Kommunkarta || {});
const waiting = K.pending || [];
K.pending = [];
K.mountMap = mountMap;
waiting.forEach(([map, config]) => mountMap(map, config));
