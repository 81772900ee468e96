/* Pieces every map mode shares: DOM and text helpers, colours by class, the legend,
 * JSON requests and the located-initiative markers.
 * Every user-written string reaches the page through textContent, never as HTML. */

/* global L */

import { topologyFeatures } from "./topology.js";

export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach((key) => node.setAttribute(key, attrs[key]));
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** `template` with each `{key}` replaced by `values[key]` (missing keys by ""). */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (values[key] !== undefined ? values[key] : ""));
}

/* The classes come from the server ({breaks, colours}: public/map_classes.py, which the map
 * as an image uses too), in the page's config and with every /map/summary answer. */
function colourFor(count, classes, none) {
  if (!count) return none;
  for (let i = 0; i < classes.breaks.length; i++) {
    if (count <= classes.breaks[i]) return classes.colours[i];
  }
  return classes.colours[classes.colours.length - 1];
}

/** Leaflet's style function for areas shaded by `counts` in the server's `classes`. */
export function areaStyle(counts, classes, config) {
  return (feature) => {
    const count = counts[feature.properties.code] || 0;
    return {
      fillColor: colourFor(count, classes, config.noneColour),
      fillOpacity: 0.85,
      color: count ? "#ffffff" : "#8c8c8c",
      weight: count ? 0.8 : 0.6,
      dashArray: count ? null : "3 3",
    };
  };
}

/* Thousands separators of the site's two languages, as Intl and the server's `number`
 * filter write them. Whole numbers in these languages are grouped here: the first
 * Intl.NumberFormat of a page costs 55–90 ms of a phone's CPU (slowed 4×) to load its
 * locale data, and the legend, drawn with the map, would pay it before the map shows. */
const GROUP_SEPARATOR = { sv: "\u00a0", en: "," };
const numberFormats = {};

/** `n` written the way the page's language writes numbers: "12 345" in Swedish, "12,345" in
 * English (as the server's `number` filter does). */
export function formatNumber(n, lang) {
  const value = Number(n);
  const separator = GROUP_SEPARATOR[lang];
  if (separator && Number.isSafeInteger(value) && value >= 0) {
    return String(value).replace(/\B(?=(\d{3})+$)/g, separator);
  }
  if (!numberFormats[lang]) numberFormats[lang] = new Intl.NumberFormat(lang);
  return numberFormats[lang].format(value);
}

/** Kept once the browser has painted the page as it is now (the frame after this one has
 * begun and its tasks may run): what can wait for the map's first paint waits for this.
 * A hidden tab (opened in the background) paints nothing and runs no animation frames
 * until it is shown, so there it is kept at once, and when the tab is hidden meanwhile. */
export function afterPaint() {
  return new Promise((resolve) => {
    if (document.hidden) {
      setTimeout(resolve, 0);
      return;
    }
    let waiting = true;
    const soon = () => {
      if (!waiting) return;
      waiting = false;
      document.removeEventListener("visibilitychange", soon); // whichever came first
      setTimeout(resolve, 0);
    };
    requestAnimationFrame(soon);
    document.addEventListener("visibilitychange", soon);
  });
}

/** "1 initiative" / "1 200 initiatives" in the page's language. */
export function countText(config, n) {
  const text = config.text;
  return fill(n === 1 ? text.initiative_one : text.initiatives_many, { n: formatNumber(n, config.lang) });
}

/** The filled-in fields of `form` as query parameters (blank ones left out). */
export function queryFrom(form) {
  const params = new URLSearchParams();
  new FormData(form).forEach((value, key) => {
    if (String(value).trim() !== "") params.append(key, value);
  });
  return params;
}

/** Query parameters from the server's `{name: value or [values]}` (InitiativeFilter.to_args). */
export function paramsOf(args) {
  const params = new URLSearchParams();
  Object.keys(args || {}).forEach((key) => [].concat(args[key]).forEach((value) => params.append(key, value)));
  return params;
}

/** `params` without what is not a filter (level, language, view, measure, page, points). */
export function filterParams(params) {
  const copy = new URLSearchParams(params);
  ["level", "lang", "view", "measure", "page", "points"].forEach((key) => copy.delete(key));
  return copy;
}

/** GET `url` as JSON; rejects with the API's message (and `field`) on an error status. */
export function getJSON(url) {
  return fetch(url, { headers: { Accept: "application/json" } }).then((response) =>
    response.json().then((body) => {
      if (!response.ok) {
        const error = new Error(body && body.error ? body.error : response.statusText);
        error.field = body && body.field;
        throw error;
      }
      return body;
    }),
  );
}

/** The map page's figures, one for every place in code order (public/map_views.py), by
 * code: the codes are those of `features`, the boundaries of those places. Throws when there
 * are not as many places as figures (boundaries kept from before the places changed). */
export function valuesByCode(values, features) {
  const codes = features.map((f) => f.properties.code).sort();
  if (codes.length !== values.length) throw new Error("the boundaries are not of the page's places");
  const byCode = {};
  codes.forEach((code, i) => {
    if (values[i]) byCode[code] = values[i];
  });
  return byCode;
}

/** Boundaries as GeoJSON, whether the URL serves GeoJSON or the map's TopoJSON. */
export function getBoundaries(url) {
  return getJSON(url).then((data) => (data.type === "Topology" ? topologyFeatures(data) : data));
}

/** Whether the page is as narrow as a phone's (the style sheet's breakpoint). */
function isNarrow() {
  return window.matchMedia("(max-width: 30rem)").matches;
}

/** A legend that folds away (a <details>, closed at first on a phone, so that it never
 * hides the country); returns { box, body }: `body` is what the caller fills. */
export function legendBox(map, title, className) {
  const legend = L.control({ position: "bottomleft" });
  const box = L.DomUtil.create("details", "map-legend " + (className || ""));
  if (!isNarrow()) box.open = true;
  box.appendChild(el("summary", {}, title));
  const body = el("div", { class: "map-legend-body" });
  box.appendChild(body);
  L.DomEvent.disableClickPropagation(box);
  legend.onAdd = () => box;
  legend.addTo(map);
  return { box, body };
}

/** A legend of the server's classes; returns a function that redraws it for new classes.
 * `title` and `note` name what the areas are coloured by (the measure) when it is not the
 * number of initiatives; `note` says whose estimates the sums are and how many state one. */
export function addLegend(map, config) {
  const { box, body } = legendBox(map, config.text.legend_title);
  const heading = box.querySelector("summary");
  return (classes, title, note) => {
    const number = (n) => formatNumber(n, config.lang);
    heading.textContent = title || config.text.legend_title;
    body.textContent = "";
    let low = 1;
    classes.breaks.forEach((high, i) => {
      const row = el("div", { class: "legend-row" });
      row.appendChild(el("span", { class: "swatch", style: "background:" + classes.colours[i] }));
      row.appendChild(document.createTextNode(low === high ? number(high) : number(low) + "–" + number(high)));
      body.appendChild(row);
      low = high + 1;
    });
    const none = el("div", { class: "legend-row" });
    none.appendChild(el("span", { class: "swatch swatch-none", style: "background:" + config.noneColour }));
    none.appendChild(document.createTextNode(config.text.legend_none));
    body.appendChild(none);
    if (note) body.appendChild(el("p", { class: "legend-note" }, note));
  };
}

/** A metric scale bar, and the map resized with its frame (phone panels, window). */
export function addScale(map) {
  L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
  if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(map.getContainer());
}

/** One box that says which area is under the pointer or the keyboard's crosshair (instead
 * of a tooltip on each of 290 shapes, each of which would be a tab stop). It is a live
 * region, and Escape empties it (WCAG 1.4.13). Returns { show(text), clear() }. */
export function createInfo(map) {
  const info = L.control({ position: "topright" });
  const box = L.DomUtil.create("div", "map-info");
  box.setAttribute("role", "status");
  box.hidden = true;
  info.onAdd = () => box;
  info.addTo(map);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") box.hidden = true;
  });
  return {
    show(text) {
      box.textContent = text;
      box.hidden = false;
    },
    clear() {
      box.hidden = true;
    },
  };
}

function ringsOf(latlngs, rings) {
  if (latlngs.length && latlngs[0] instanceof L.LatLng) rings.push(latlngs);
  else latlngs.forEach((part) => ringsOf(part, rings));
  return rings;
}

/** Whether `latlng` lies in the polygon `layer` (even-odd over all its rings). */
function inside(layer, latlng) {
  if (!layer.getBounds().contains(latlng)) return false;
  let odd = false;
  ringsOf(layer.getLatLngs(), []).forEach((ring) => {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      if ((a.lat > latlng.lat) !== (b.lat > latlng.lat)
        && latlng.lng < ((b.lng - a.lng) * (latlng.lat - a.lat)) / (b.lat - a.lat) + a.lng) odd = !odd;
    }
  });
  return odd;
}

/** The area of `group` (a GeoJSON layer) at `latlng`, or null. */
function areaAt(group, latlng) {
  let found = null;
  group.eachLayer((layer) => {
    if (!found && inside(layer, latlng)) found = layer;
  });
  return found;
}

/** The map as one tab stop: arrow keys pan (Leaflet), + and − zoom, the area under the
 * crosshair in the middle is announced through `info`, Enter or Space chooses it.
 * `group()` gives the current GeoJSON layer, `describe(layer)` the words for it,
 * `choose(layer)` what selecting it does. */
export function keyboardAreas(map, config, info, group, describe, choose) {
  const node = map.getContainer();
  node.setAttribute("role", "application");
  node.setAttribute("aria-roledescription", config.text.map_role);
  node.setAttribute("aria-label", config.text.map_label);
  let current = null;
  function announce() {
    if (document.activeElement !== node || !group()) return;
    current = areaAt(group(), map.getCenter());
    if (current) info.show(describe(current));
    else info.clear();
  }
  node.addEventListener("focus", announce);
  map.on("moveend", announce);
  node.addEventListener("keydown", (event) => {
    if (event.target !== node || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    if (current) choose(current);
  });
}

/** A cluster's icon with a name a screen reader says ("12 initiatives here: zoom in"). */
const NamedIcon = L.DivIcon.extend({
  createIcon(old) {
    const div = L.DivIcon.prototype.createIcon.call(this, old);
    div.setAttribute("aria-label", this.options.label);
    div.setAttribute("title", this.options.label);
    return div;
  },
});

/* Leaflet.markercluster and its style sheets, from the app like every asset, asked for when
 * points are first wanted rather than by the page: no area needs them, and on a slowed phone
 * their script and three more requests came before the map's first paint. */
const CLUSTERS = new URL("../../vendor/leaflet.markercluster/", import.meta.url);
let clusterCode = null;

function loadClusters() {
  if (!clusterCode) {
    ["MarkerCluster.css", "MarkerCluster.Default.css"].forEach((name) => {
      document.head.appendChild(el("link", { rel: "stylesheet", href: new URL(name, CLUSTERS).href }));
    });
    clusterCode = new Promise((resolve, reject) => {
      const script = el("script", { src: new URL("leaflet.markercluster.js", CLUSTERS).href });
      script.addEventListener("load", resolve);
      script.addEventListener("error", () => {
        clusterCode = null; // asked for again next time
        reject(new Error("leaflet.markercluster.js"));
      });
      document.head.appendChild(script);
    });
  }
  return clusterCode;
}

/** Kept with an empty cluster group for located initiatives, in the pane `pane` if given. */
export function pointClusters(config, pane) {
  return loadClusters().then(() => L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    clusterPane: pane || L.Marker.prototype.options.pane,
    iconCreateFunction: (cluster) => {
      const n = cluster.getChildCount();
      const size = n < 10 ? 24 : n < 100 ? 30 : 36;
      return new NamedIcon({
        html: "<span aria-hidden=\"true\">" + Number(n) + "</span>",
        className: "point-cluster",
        iconSize: [size, size],
        label: fill(config.text.cluster, { n: formatNumber(n, config.lang) }),
      });
    },
  }));
}

/** A marker for one row [id, lat, lon, title] of /map/points whose popup links to its page
 * (in the tab `config.linkTarget`, if set). */
export function pointMarker(row, config, pane) {
  const marker = L.circleMarker([row[1], row[2]], {
    radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#b0413e", fillOpacity: 0.95,
    pane: pane || "overlayPane",
  });
  marker.bindPopup(() => {
    const attrs = { href: config.initiativeUrl + row[0] + "?lang=" + config.lang };
    if (config.linkTarget) {
      attrs.target = config.linkTarget;
      attrs.rel = "noopener";
    }
    return el("a", attrs, row[3]);
  });
  return marker;
}

/** Opens one of our pages; from an embedded map in the tab `config.linkTarget`. */
export function openPage(config, url) {
  if (config.linkTarget) window.open(url, config.linkTarget, "noopener");
  else window.location.href = url;
}

/** Shows `message` in the page's filter error box and, when it is about one filter
 * (`field`, a query parameter), beside that filter's field too, as the page does without
 * script (templates/_macros/filters.html): aria-invalid and aria-describedby on its inputs. */
export function showError(message, field) {
  const errorBox = document.getElementById("filter-error");
  if (!errorBox) return;
  errorBox.textContent = message;
  errorBox.hidden = false;
  const input = field && document.getElementById("filter-" + field.replace(/_/g, "-"));
  const holder = input && (input.closest(".field, fieldset") || input);
  if (!holder) return;
  const folded = holder.closest("details");
  if (folded) folded.open = true;
  let note = document.getElementById("problem-" + field);
  if (!note) {
    note = el("span", { class: "field-error", id: "problem-" + field, "data-field": field });
    const legend = holder.querySelector("legend, label, .field-label");
    if (legend) legend.after(note);
    else holder.prepend(note);
  }
  note.textContent = message;
  holder.classList.add("has-error");
  const inputs = input.matches("input, select") ? [input] : input.querySelectorAll("input, select");
  inputs.forEach((each) => {
    each.setAttribute("aria-invalid", "true");
    each.setAttribute("aria-describedby", note.id);
  });
}

/** Takes back what `showError` and the page said about the filters. */
export function clearErrors() {
  const errorBox = document.getElementById("filter-error");
  if (errorBox) errorBox.hidden = true;
  document.querySelectorAll("#filters .field-error").forEach((note) => note.remove());
  document.querySelectorAll("#filters .form-problems").forEach((list) => list.remove());
  document.querySelectorAll("#filters .has-error").forEach((holder) => holder.classList.remove("has-error"));
  document.querySelectorAll("#filters [aria-invalid]").forEach((input) => {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  });
}
