/* The main map (`/`): areas shaded by their counts under the filters. A filter change fetches
 * new counts and the server's summary line and restyles in place — no reload — then updates
 * the figures table, the download links and the address. Located initiatives are clustered
 * once zoomed in (not at the national view, where they would bury the shading).
 * One info box says what is under the pointer or the keyboard's crosshair. */

/* global L */

import {
  addLegend, addScale, afterPaint, areaStyle, clearErrors, countText, createInfo, el, fill, filterParams, formatNumber,
  getBoundaries, getJSON, keyboardAreas, paramsOf, pointClusters, pointMarker, queryFrom, showError, valuesByCode,
} from "./common.js";
import { addLabels } from "./labels.js";
import { createPanel } from "./panel.js";
import { mountYearControl } from "./years.js";

const POINTS_ZOOM = 5.5; // clusters once zoomed in from the national view (about 4.75)
export function mountChoropleth(map, config) {
  const text = config.text;
  const state = {
    level: config.level,
    measure: config.measure || "initiatives",
    note: config.measureNote || "",
    // what the areas are coloured by (counts, or hours or kronor a year) by code, once the
    // boundaries have said whose each of the page's figures is
    counts: null,
    classes: config.classes, // and their classes, from the server (public/map_classes.py)
    params: paramsOf(config.filters), // the filters the page was drawn with: the address less any bad value
    layer: null,
    boundaries: {},
    names: {},
    request: 0,
  };
  const form = document.getElementById("filters");
  const summary = document.getElementById("map-summary");
  const measureNote = document.getElementById("measure-note");
  const tableLink = document.getElementById("table-link");
  const mapNode = map.getContainer();
  mapNode.setAttribute("data-level", state.level);
  // areas lie below the markers' overlay pane, whatever order they are drawn in
  map.createPane("areas").style.zIndex = 350;

  /* The areas come first: the legend, scale, info box, panel, labels and keyboard are set up
   * once the areas are painted (mountControls), as are the filters' live updates, the table
   * and the points. On a phone slowed 4x that set-up took tens of milliseconds before the
   * first shape could show. */
  let drawLegend = null;
  let info = null;
  let panel = null;
  let updateLabels = null;

  /* ---- choropleth ---- */
  function describe(layer) {
    const p = layer.feature.properties;
    return p.name + ": " + valueText(state.counts[p.code] || 0);
  }

  function valueText(n) {
    if (state.measure === "initiatives") return countText(config, n);
    return fill(text["value_" + state.measure], { n: formatNumber(n, config.lang) });
  }

  function legendTitle() {
    return state.measure === "initiatives" ? null : text["legend_" + state.measure];
  }

  function restyle() {
    if (!state.layer) return;
    state.layer.setStyle(areaStyle(state.counts, state.classes, config));
    describeLayer(state.level);
    mapNode.setAttribute("data-restyled", String(Number(mapNode.getAttribute("data-restyled") || 0) + 1));
  }

  function loadBoundaries(level) {
    if (state.boundaries[level]) return Promise.resolve(state.boundaries[level]);
    return getBoundaries(config.boundaries[level]).then((data) => {
      state.boundaries[level] = data;
      data.features.forEach((f) => { state.names[f.properties.code] = f.properties.name; });
      return data;
    });
  }

  /* Pointer events of every area, heard once on their layer (not three listeners on each of
   * 290 shapes); none until the controls they use are there. */
  const areaEvents = {
    click: (event) => {
      const p = event.propagatedFrom.feature.properties;
      if (panel) panel.open(p.code, p.name);
    },
    mouseover: (event) => {
      if (!info) return;
      event.propagatedFrom.setStyle({ weight: 2.5, color: "#1b1f24" });
      info.show(describe(event.propagatedFrom));
    },
    mouseout: (event) => {
      if (!info) return;
      state.layer.resetStyle(event.propagatedFrom);
      panel.outline(event.propagatedFrom);
      info.clear();
    },
  };

  /** The legend and the place names for what is drawn (once the controls are there). */
  function describeLayer(level) {
    if (!drawLegend) return;
    drawLegend(state.classes, legendTitle(), state.note);
    updateLabels(level);
  }

  function drawLayer(level) {
    return loadBoundaries(level).then((data) => {
      if (!state.counts) state.counts = valuesByCode(config.valuesInCodeOrder, data.features);
      if (state.layer) map.removeLayer(state.layer);
      state.layer = L.geoJSON(data, { pane: "areas", style: areaStyle(state.counts, state.classes, config) })
        .on(areaEvents)
        .addTo(map);
      describeLayer(level);
      mapNode.setAttribute("data-level", level);
      mapNode.setAttribute("data-features", String(data.features.length));
    });
  }

  /* ---- clustered points: from POINTS_ZOOM on, unless switched off (points=off) ---- */
  map.createPane("points").style.zIndex = 600;
  let points = null; // their cluster group, once mounted
  let pointsMounted = null;
  state.showPoints = new URLSearchParams(window.location.search).get("points") !== "off";

  /** Their switch and their layer: hidden at the national view, so mounted after the areas'
   * first paint (on a slowed phone they cost tens of milliseconds before it), whether or not
   * the areas could be drawn. Kept once the switch is on the map. */
  function mountPoints() {
    if (!pointsMounted) {
      pointsMounted = pointClusters(config, "points").then((group) => {
        points = group;
        const overlays = {};
        overlays[text.points] = points;
        L.control.layers(null, overlays, { collapsed: false, position: "topleft" }).addTo(map);
        if (state.showPoints) map.addLayer(points);
        map.on("overlayadd overlayremove", (event) => {
          if (event.layer !== points) return;
          state.showPoints = event.type === "overlayadd";
          window.history.replaceState(null, "", pageUrl());
        });
      });
      pointsMounted.catch(() => { pointsMounted = null; }); // tried again with the next filter
    }
    return pointsMounted;
  }

  function pointsByZoom() {
    const hidden = map.getZoom() < POINTS_ZOOM;
    map.getPane("points").hidden = hidden;
    map.getContainer().classList.toggle("points-hidden", hidden);
    updateLabels(state.level);
  }

  function loadPoints() {
    return Promise.all([mountPoints(), getJSON(config.pointsUrl + "?" + state.params)]).then(([, rows]) => {
      points.clearLayers();
      points.addLayers(rows.map((row) => pointMarker(row, config, "points")));
      mapNode.setAttribute("data-points", String(rows.length));
    });
  }

  /* ---- summary, table and URL ---- */
  function updateSummary(line, note) {
    summary.textContent = line;
    const caption = document.querySelector("#map-counts caption");
    if (caption) caption.textContent = line;
    if (measureNote) {
      measureNote.textContent = note;
      measureNote.hidden = !note;
    }
  }

  function updateTable(places) {
    const body = document.querySelector("#map-counts tbody");
    const head = document.getElementById("map-counts-place");
    if (!body) return;
    head.textContent = state.level === "region" ? text.county : text.municipality;
    const valueHead = head.nextElementSibling;
    if (valueHead) valueHead.textContent = legendTitle() || text.legend_title;
    body.textContent = "";
    places.forEach((place) => {
      const row = el("tr");
      const th = el("th", { scope: "row" });
      th.appendChild(el("a", { href: config.placeUrl[state.level] + place.code + "?lang=" + config.lang }, place.name));
      row.appendChild(th);
      const value = state.measure === "initiatives" ? place.count : state.counts[place.code] || 0;
      row.appendChild(el("td", { class: "num", "data-code": place.code }, formatNumber(value, config.lang)));
      body.appendChild(row);
    });
  }

  function boundaryPlaces() {
    const boundaries = state.boundaries[state.level];
    if (!boundaries || !state.counts) return [];
    return boundaries.features.map((f) => {
      const code = f.properties.code;
      return { code: code, name: f.properties.name, count: state.counts[code] || 0 };
    });
  }

  function pageUrl() {
    const params = new URLSearchParams(state.params);
    if (state.level !== "municipality") params.set("level", state.level);
    if (state.measure !== "initiatives") params.set("measure", state.measure);
    if (!state.showPoints) params.set("points", "off");
    params.set("lang", config.lang);
    return "?" + params;
  }

  function updateLinks(level, filters) {
    const figuresParams = new URLSearchParams(filters);
    if (level !== "municipality") figuresParams.set("level", level);
    document.getElementById("figures-link").href = config.figuresUrl + "?" + figuresParams;
    document.querySelectorAll(".downloads a[download]").forEach((link) => {
      const url = new URL(link.href);
      url.search = filters.toString();
      link.href = url.pathname + url.search;
    });
    // links that carry the filters and, as data-filter-link says, the level, measure and
    // language: the map as an image, the feed
    document.querySelectorAll("[data-filter-link]").forEach((link) => {
      const params = new URLSearchParams(filters);
      const extra = link.getAttribute("data-filter-link");
      if (extra.includes("level") && level !== "municipality") params.set("level", level);
      if (extra.includes("measure") && state.measure !== "initiatives") params.set("measure", state.measure);
      if (extra.includes("lang")) params.set("lang", config.lang);
      link.href = new URL(link.href).pathname + "?" + params;
    });
    if (tableLink) {
      const tableParams = new URLSearchParams(filters);
      tableParams.set("lang", config.lang);
      tableLink.href = config.tableUrl + "?" + tableParams;
    }
  }

  function apply() {
    const params = queryFrom(form);
    if (params.get("view") === "coverage") { // a page of its own
      window.location.assign("?" + params);
      return;
    }
    const level = params.get("level") || "municipality";
    const measure = params.get("measure") || "initiatives";
    const filters = filterParams(params);
    const ticket = ++state.request;
    const summaryParams = new URLSearchParams(filters);
    summaryParams.set("level", level);
    summaryParams.set("measure", measure);
    summaryParams.set("lang", config.lang);
    // both at once; a bad value is told as the summary words it (by the field's label)
    Promise.allSettled([
      getJSON(config.countsApi[level] + "?" + filters),
      getJSON(config.summaryUrl + "?" + summaryParams),
    ]).then(([counted, summed]) => {
      if (summed.status === "rejected") throw summed.reason;
      if (counted.status === "rejected") throw counted.reason;
      return [counted.value, summed.value];
    }).then(([places, told]) => {
      if (ticket !== state.request) return undefined;
      clearErrors();
      // the counts API carries every area's count and, for municipalities, its sums; the
      // summary carries the sums at either level, from the same query
      const counts = {};
      places.forEach((place) => { counts[place.code] = place.count; });
      state.measure = measure;
      state.note = told.legend_note || "";
      state.counts = measure === "initiatives" ? counts : told.values;
      state.classes = told.classes;
      state.params = filters;
      const levelChanged = level !== state.level;
      state.level = level;
      // drawn anew for another level, or when the page's first drawing failed
      const drawn = levelChanged || !state.layer ? drawLayer(level) : Promise.resolve(restyle());
      return drawn.then(() => {
        updateSummary(told.summary, told.note || "");
        updateTable(places);
        updateLinks(level, filters);
        window.history.replaceState(null, "", pageUrl());
        panel.close();
        return loadPoints();
      });
    }).catch((error) => {
      if (ticket !== state.request) return;
      showError(error.message || text.failed, error.field);
    });
  }

  /** Changing a filter restyles the map in place (until then the form is sent as without
   * script). */
  function mountFilters() {
    let timer = null;
    const schedule = (delay) => {
      window.clearTimeout(timer);
      timer = window.setTimeout(apply, delay);
    };
    form.addEventListener("change", () => schedule(150));
    form.addEventListener("input", (event) => {
      if (event.target && event.target.type === "search") schedule(400);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      schedule(0);
    });
    mountYearControl(form, config);
  }

  /** Everything of the map but its areas; kept once it is there. */
  const controls = (function () {
    let mounted = null;
    return () => {
      if (!mounted) {
        mounted = Promise.resolve().then(() => {
          drawLegend = addLegend(map, config);
          addScale(map);
          info = createInfo(map);
          panel = createPanel(map, config, state);
          updateLabels = addLabels(map, config, state.names);
          keyboardAreas(map, config, info, () => state.layer, describe, (layer) => {
            panel.open(layer.feature.properties.code, layer.feature.properties.name);
          });
          map.on("zoomend", pointsByZoom);
          pointsByZoom();
          if (state.layer) describeLayer(state.level);
          if (form) mountFilters();
        });
      }
      return mounted;
    };
  }());

  /** Zooms to a place found by the search and opens its panel (focus moves into it). */
  function showPlace(place) {
    return Promise.all([loadBoundaries(place.level), controls()]).then(([data]) => {
      const feature = data.features.find((f) => f.properties.code === place.code);
      if (!feature) return;
      const bounds = L.geoJSON(feature).getBounds();
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: place.level === "region" ? 8 : 10 });
      const count = place.level === state.level && state.counts ? state.counts[place.code] || 0 : null;
      if (count !== null) info.show(place.name + ": " + valueText(count));
      panel.open(place.code, place.name, place.level);
    });
  }

  // the controls, the figures table (folded away below the map) and the points (shown only
  // once zoomed in) after the areas' first paint, not before it, and all of them even if
  // the areas failed; the map is ready once every part is there
  const areas = drawLayer(state.level).then(() => true, () => {
    showError(text.failed);
    return false;
  });
  areas.then(afterPaint).then(controls).then(() => {
    updateTable(boundaryPlaces());
    return Promise.all([areas, mountPoints()]);
  }).then(([drawn]) => {
    if (drawn) mapNode.setAttribute("data-ready", "true");
    return loadPoints();
  }).catch(() => showError(text.failed));
  return { showPlace };
}
