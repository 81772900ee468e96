/* The side panel of the main map: an area's initiatives by benefit area, a link to its page,
 * and "show neighbours", which outlines the municipalities bordering the selected one. */

/* global L */

import { countText, el, fill, formatNumber, getJSON } from "./common.js";

const SELECTED_STYLE = { color: "#1b1f24", weight: 3.5, dashArray: null };
const NEIGHBOUR_STYLE = { color: "#d4500b", weight: 3, dashArray: null };

/** The panel of `map`; `state` is the choropleth's (level, params, layer, names).
 * Returns { open(code, name, level), close(), outline(layer) }. Opening moves the focus into
 * the panel; Escape or its close button closes it and puts the focus back where it was. */
export function createPanel(map, config, state) {
  const text = config.text;
  const mapNode = map.getContainer();
  const panel = document.getElementById("map-panel");
  const panelTitle = document.getElementById("map-panel-title");
  const panelBody = document.getElementById("map-panel-body");
  const neighbours = { of: null, codes: [] };
  let panelFor = null;
  let returnTo = null;

  /* ---- "show my neighbours" ---- */
  function outline(layer) {
    const code = layer.feature.properties.code;
    const selected = neighbours.of !== null && code === neighbours.of;
    const neighbour = neighbours.codes.indexOf(code) >= 0;
    const path = layer.getElement && layer.getElement();
    if (path) {
      path.classList.toggle("is-selected", selected);
      path.classList.toggle("is-neighbour", neighbour);
    }
    if (selected || neighbour) {
      layer.setStyle(selected ? SELECTED_STYLE : NEIGHBOUR_STYLE);
      layer.bringToFront();
    }
  }

  function clearNeighbours() {
    if (neighbours.of === null) return;
    neighbours.of = null;
    neighbours.codes = [];
    if (state.layer) {
      state.layer.eachLayer((layer) => {
        state.layer.resetStyle(layer);
        outline(layer);
      });
    }
    mapNode.removeAttribute("data-neighbours");
  }

  function showNeighbours(code, codes) {
    neighbours.of = code;
    neighbours.codes = codes;
    const bounds = L.latLngBounds([]);
    state.layer.eachLayer((layer) => {
      outline(layer);
      const c = layer.feature.properties.code;
      if (c === code || codes.indexOf(c) >= 0) bounds.extend(layer.getBounds());
    });
    const overlaid = window.getComputedStyle(panel).position === "absolute";
    map.fitBounds(bounds, {
      paddingTopLeft: [20, 20],
      paddingBottomRight: [(overlaid ? panel.offsetWidth : 0) + 20, 20],
      maxZoom: 10,
    });
    mapNode.setAttribute("data-neighbours", codes.join(" "));
  }

  /** A button in the panel that outlines (and lists) the neighbours of `code`. */
  function neighbourControl(code, name) {
    const box = el("div", { class: "map-neighbours" });
    const button = el("button", { type: "button", class: "secondary" }, text.show_neighbours);
    const status = el("p", { role: "status" });
    const list = el("ul", { class: "map-neighbour-list" });
    box.appendChild(button);
    box.appendChild(status);
    box.appendChild(list);
    button.addEventListener("click", () => {
      status.textContent = "";
      list.textContent = "";
      if (neighbours.of === code) {
        clearNeighbours();
        button.textContent = text.show_neighbours;
        return;
      }
      getJSON(config.neighboursUrl + encodeURIComponent(code)).then((body) => {
        if (panelFor !== code) return;
        const codes = body.neighbours;
        showNeighbours(code, codes);
        button.textContent = text.hide_neighbours;
        status.textContent = codes.length
          ? fill(codes.length === 1 ? text.neighbours_one : text.neighbours_many, { n: formatNumber(codes.length, config.lang) })
          : fill(text.no_neighbours, { name: name });
        codes.slice().sort((a, b) => String(state.names[a] || a).localeCompare(String(state.names[b] || b), config.lang))
          .forEach((other) => {
            const li = el("li");
            li.appendChild(el("a", { href: config.placeUrl.municipality + other + "?lang=" + config.lang },
              state.names[other] || other));
            list.appendChild(li);
          });
      }).catch(() => { status.textContent = text.failed; });
    });
    return box;
  }

  /* ---- the list of an area's initiatives ---- */
  function close() {
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    panelFor = null;
    clearNeighbours();
    if (hadFocus && returnTo && document.body.contains(returnTo)) returnTo.focus();
    returnTo = null;
  }

  function showList(code, name, level, params, body) {
    panelBody.textContent = "";
    const lead = el("p");
    lead.appendChild(document.createTextNode(countText(config, body.total) + " · "));
    lead.appendChild(el("a", { href: config.placeUrl[level] + encodeURIComponent(code) + "?lang=" + config.lang },
      fill(text.open_place, { name: name })));
    panelBody.appendChild(lead);
    if (level === "municipality" && state.level === "municipality") panelBody.appendChild(neighbourControl(code, name));
    if (!body.items.length) {
      panelBody.appendChild(el("p", {}, text.no_initiatives));
      return;
    }
    const groups = {};
    const order = Object.keys(config.benefitNames).concat(["other"]);
    body.items.forEach((item) => {
      const keys = item.benefit_areas.length ? item.benefit_areas : ["other"];
      keys.forEach((key) => { (groups[key] = groups[key] || []).push(item); });
    });
    order.forEach((key) => {
      if (!groups[key]) return;
      panelBody.appendChild(el("h3", {}, (config.benefitNames[key] || text.other) + " (" + groups[key].length + ")"));
      const list = el("ul");
      groups[key].forEach((item) => {
        const li = el("li");
        // the title in its own language (the page's may differ), as on the initiative page
        li.appendChild(el("a", { href: config.initiativeUrl + item.id + "?lang=" + config.lang, lang: item.lang },
          item.title));
        if (item.is_demo) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("span", { class: "demo-badge" }, text.demo_mark));
        }
        const adopted = (item.adopted_by || []).some((a) => a.code === code);
        if (adopted) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("span", { class: "adopted-mark" }, text.adopted_mark));
        }
        list.appendChild(li);
      });
      panelBody.appendChild(list);
    });
    if (body.total > body.items.length) {
      const more = el("p");
      params.set("lang", config.lang);
      more.appendChild(el("a", { href: config.tableUrl + "?" + params }, fill(text.all_in_table, { n: formatNumber(body.total, config.lang) })));
      panelBody.appendChild(more);
    }
  }

  function open(code, name, level) {
    level = level || state.level;
    const placeKey = level === "region" ? "region" : "municipality";
    const params = new URLSearchParams(state.params);
    params.delete("region");
    params.delete("municipality");
    params.set(placeKey, code);
    clearNeighbours();
    if (!panel.contains(document.activeElement)) returnTo = document.activeElement;
    panelFor = code;
    panel.hidden = false;
    panelTitle.textContent = name;
    panelBody.textContent = "";
    panelBody.appendChild(el("p", {}, text.loading));
    panel.focus();
    const listParams = new URLSearchParams(params);
    listParams.set("per_page", "100");
    getJSON(config.initiativesApi + "?" + listParams).then((body) => {
      if (panelFor === code) showList(code, name, level, params, body);
    }).catch(() => { panelBody.textContent = text.failed; });
  }

  document.getElementById("map-panel-close").addEventListener("click", close);
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.stopPropagation();
    close();
  });

  return { open, close, outline };
}
