/* Pieces every map mode shares: DOM and text helpers, colours by class, the legend,
 * JSON requests and the located-initiative markers.
 * Every user-written string reaches the page through textContent, never as HTML. */

/* global L */

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

/** "1 initiative" / "12 initiatives" in the page's language. */
export function countText(text, n) {
  return fill(n === 1 ? text.initiative_one : text.initiatives_many, { n: n });
}

/** The filled-in fields of `form` as query parameters (blank ones left out). */
export function queryFrom(form) {
  const params = new URLSearchParams();
  new FormData(form).forEach((value, key) => {
    if (String(value).trim() !== "") params.append(key, value);
  });
  return params;
}

/** `params` without what is not a filter (level, language, view, measure, page). */
export function filterParams(params) {
  const copy = new URLSearchParams(params);
  ["level", "lang", "view", "measure", "page"].forEach((key) => copy.delete(key));
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

/** A legend control; returns a function that redraws it for new classes. */
export function addLegend(map, config) {
  const legend = L.control({ position: "bottomleft" });
  const box = L.DomUtil.create("div", "map-legend");
  legend.onAdd = () => box;
  legend.addTo(map);
  // `title` and `note` name what the areas are coloured by (the measure) when it is not the
  // number of initiatives; `note` says whose estimates the sums are and how many state one
  return (classes, title, note) => {
    const number = (n) => Number(n).toLocaleString(config.lang);
    box.textContent = "";
    box.appendChild(el("strong", {}, title || config.text.legend_title));
    let low = 1;
    classes.breaks.forEach((high, i) => {
      const row = el("div", { class: "legend-row" });
      row.appendChild(el("span", { class: "swatch", style: "background:" + classes.colours[i] }));
      row.appendChild(document.createTextNode(low === high ? number(high) : number(low) + "–" + number(high)));
      box.appendChild(row);
      low = high + 1;
    });
    const none = el("div", { class: "legend-row" });
    none.appendChild(el("span", { class: "swatch swatch-none", style: "background:" + config.noneColour }));
    none.appendChild(document.createTextNode(config.text.legend_none));
    box.appendChild(none);
    if (note) box.appendChild(el("p", { class: "legend-note" }, note));
  };
}

function clusterIcon(cluster) {
  const n = cluster.getChildCount();
  const size = n < 10 ? 24 : n < 100 ? 30 : 36;
  return L.divIcon({ html: "<span>" + Number(n) + "</span>", className: "point-cluster", iconSize: [size, size] });
}

/** An empty cluster group for located initiatives. */
export function pointClusters() {
  return L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, iconCreateFunction: clusterIcon });
}

/** A marker for one row [id, lat, lon, title] of /map/points whose popup links to its page
 * (in the tab `config.linkTarget`, if set). */
export function pointMarker(row, config) {
  const marker = L.circleMarker([row[1], row[2]], {
    radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#b0413e", fillOpacity: 0.95,
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

/** Shows `message` in the page's filter error box. */
export function showError(message) {
  const errorBox = document.getElementById("filter-error");
  if (!errorBox) return;
  errorBox.textContent = message;
  errorBox.hidden = false;
}
