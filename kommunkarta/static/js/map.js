/* Kommunkartan's choropleth: shades the boundaries by counts, restyles in place when a
 * filter changes, lists an area's initiatives in a panel and clusters located initiatives.
 * Every user-written string reaches the page through textContent, never as HTML. */
(function () {
  "use strict";

  var K = (window.Kommunkarta = {});

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] !== undefined ? values[key] : "";
    });
  }

  /** Upper bounds of up to k classes over the non-zero counts (quantiles, deduplicated). */
  K.classBreaks = function (values, k) {
    var v = values.filter(function (x) { return x > 0; }).sort(function (a, b) { return a - b; });
    var breaks = [];
    if (!v.length) return breaks;
    for (var i = 1; i <= k; i++) {
      var q = v[Math.min(v.length - 1, Math.ceil((i * v.length) / k) - 1)];
      if (breaks.indexOf(q) < 0) breaks.push(q);
    }
    return breaks;
  };

  function colourFor(count, breaks, palette, none) {
    if (!count) return none;
    var offset = palette.length - breaks.length;
    for (var i = 0; i < breaks.length; i++) {
      if (count <= breaks[i]) return palette[offset + i];
    }
    return palette[palette.length - 1];
  }

  function queryFrom(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (String(value).trim() !== "") params.append(key, value);
    });
    return params;
  }

  function filterParams(params) {
    var copy = new URLSearchParams(params);
    ["level", "lang", "view", "page"].forEach(function (key) { copy.delete(key); });
    return copy;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          var error = new Error(body && body.error ? body.error : response.statusText);
          error.field = body && body.field;
          throw error;
        }
        return body;
      });
    });
  }

  /** A legend control; returns a function that redraws it for new class breaks. */
  function addLegend(map, config) {
    var legend = L.control({ position: "bottomleft" });
    var box = L.DomUtil.create("div", "map-legend");
    legend.onAdd = function () { return box; };
    legend.addTo(map);
    return function (breaks) {
      box.textContent = "";
      box.appendChild(el("strong", {}, config.text.legend_title));
      var offset = config.palette.length - breaks.length;
      var low = 1;
      breaks.forEach(function (high, i) {
        var row = el("div", { class: "legend-row" });
        row.appendChild(el("span", { class: "swatch", style: "background:" + config.palette[offset + i] }));
        row.appendChild(document.createTextNode(low === high ? String(high) : low + "–" + high));
        box.appendChild(row);
        low = high + 1;
      });
      var none = el("div", { class: "legend-row" });
      none.appendChild(el("span", { class: "swatch swatch-none", style: "background:" + config.noneColour }));
      none.appendChild(document.createTextNode(config.text.legend_none));
      box.appendChild(none);
    };
  }

  function areaStyle(counts, breaks, config) {
    return function (feature) {
      var count = counts[feature.properties.code] || 0;
      return {
        fillColor: colourFor(count, breaks, config.palette, config.noneColour),
        fillOpacity: 0.85,
        color: count ? "#ffffff" : "#8c8c8c",
        weight: count ? 0.8 : 0.6,
        dashArray: count ? null : "3 3",
      };
    };
  }

  K.countText = function (text, n) {
    return fill(n === 1 ? text.initiative_one : text.initiatives_many, { n: n });
  };

  function clusterIcon(cluster) {
    var size = cluster.getChildCount() < 10 ? 24 : cluster.getChildCount() < 100 ? 30 : 36;
    return L.divIcon({
      html: "<span>" + Number(cluster.getChildCount()) + "</span>",
      className: "point-cluster",
      iconSize: [size, size],
    });
  }

  /** Opens one of our pages; from an embedded map in the tab `config.linkTarget`. */
  function openPage(config, url) {
    if (config.linkTarget) window.open(url, config.linkTarget, "noopener");
    else window.location.href = url;
  }

  /** The located initiatives of a compact map (config.pointsUrl), clustered, each linking to
   * its page (in the tab `config.linkTarget`, if set). */
  function addCompactPoints(map, config) {
    var points = L.markerClusterGroup({
      showCoverageOnHover: false, maxClusterRadius: 40, iconCreateFunction: clusterIcon,
    });
    return getJSON(config.pointsUrl).then(function (rows) {
      rows.forEach(function (row) {
        var marker = L.circleMarker([row[1], row[2]], {
          radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#b0413e", fillOpacity: 0.95,
        });
        marker.bindPopup(function () {
          var attrs = { href: config.initiativeUrl + row[0] + "?lang=" + config.lang };
          if (config.linkTarget) { attrs.target = config.linkTarget; attrs.rel = "noopener"; }
          return el("a", attrs, row[3]);
        });
        points.addLayer(marker);
      });
      map.addLayer(points);
      map.getContainer().setAttribute("data-points", String(rows.length));
    });
  }

  /** A small map of one county's municipalities (or of one municipality, for the embed);
   * selecting one opens its page. */
  function mountCompact(map, config) {
    var mapNode = map.getContainer();
    // one municipality alone has nothing to compare its shade with
    var drawLegend = config.municipality ? function () {} : addLegend(map, config);
    var breaks = K.classBreaks(Object.values(config.counts), config.palette.length);
    getJSON(config.boundaries.municipality).then(function (data) {
      var layer = L.geoJSON(data, {
        filter: function (feature) {
          var p = feature.properties;
          return config.municipality ? p.code === config.municipality : p.region_code === config.region;
        },
        style: areaStyle(config.counts, breaks, config),
        onEachFeature: function (feature, area) {
          var p = feature.properties;
          area.bindTooltip(function () {
            var box = el("div");
            box.appendChild(el("strong", {}, p.name));
            box.appendChild(el("div", {}, K.countText(config.text, config.counts[p.code] || 0)));
            return box;
          }, { sticky: true });
          area.on("click", function () {
            openPage(config, config.placeUrl.municipality + p.code + "?lang=" + config.lang);
          });
        },
      }).addTo(map);
      drawLegend(breaks);
      mapNode.setAttribute("data-features", String(layer.getLayers().length));
      mapNode.setAttribute("data-ready", "true");
      if (config.pointsUrl) return addCompactPoints(map, config);
    });
  }

  /* ---- coverage mode (view=coverage): every municipality shaded by its state ---- */
  var SVG = "http://www.w3.org/2000/svg";

  function svgNode(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  /** Defines, once in `svg`, diagonal stripes over `look.fill` under the id `id`. */
  function hatchPattern(svg, id, look) {
    if (svg.querySelector("#" + id)) return;
    var defs = svg.querySelector("defs") || svg.insertBefore(svgNode("defs", {}), svg.firstChild);
    var pattern = svgNode("pattern", {
      id: id, patternUnits: "userSpaceOnUse", width: 6, height: 6, patternTransform: "rotate(45)",
    });
    pattern.appendChild(svgNode("rect", { width: 6, height: 6, fill: look.fill }));
    pattern.appendChild(svgNode("line", { x1: 1, y1: 0, x2: 1, y2: 6, stroke: look.stroke, "stroke-width": 1.5 }));
    defs.appendChild(pattern);
  }

  /** A legend swatch drawn like the areas of state `look`: fill, outline dashes, hatching. */
  function coverageSwatch(look) {
    var svg = svgNode("svg", { width: 28, height: 16, viewBox: "0 0 28 16", "aria-hidden": "true", class: "swatch-svg" });
    if (look.hatch) hatchPattern(svg, "kk-hatch-legend-" + look.key, look);
    svg.appendChild(svgNode("rect", {
      x: 1, y: 1, width: 26, height: 14,
      fill: look.hatch ? "url(#kk-hatch-legend-" + look.key + ")" : look.fill,
      stroke: look.stroke === "#ffffff" ? "#1b1f24" : look.stroke,
      "stroke-width": 1.5, "stroke-dasharray": look.dash || "none",
    }));
    return svg;
  }

  function mountCoverage(map, config) {
    var text = config.text;
    var mapNode = map.getContainer();
    var looks = {};
    config.coverageStates.forEach(function (look) { looks[look.key] = look; });
    var entryFor = function (code) { return config.coverage[code] || ["unknown", ""]; };
    mapNode.setAttribute("data-view", "coverage");

    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend coverage-legend");
      box.appendChild(el("strong", {}, text.coverage_title));
      config.coverageStates.forEach(function (look) {
        var row = el("div", { class: "legend-row", "data-state": look.key });
        row.appendChild(coverageSwatch(look));
        row.appendChild(document.createTextNode(look.label + " (" + look.count + ")"));
        box.appendChild(row);
      });
      return box;
    };
    legend.addTo(map);

    function style(feature) {
      var look = looks[entryFor(feature.properties.code)[0]];
      return {
        fillColor: look.hatch ? "url(#kk-hatch-map-" + look.key + ")" : look.fill,
        fillOpacity: 0.9,
        color: look.stroke,
        opacity: 1,
        weight: look.dash ? 1.4 : 0.8,
        dashArray: look.dash,
      };
    }

    function tooltip(layer) {
      var p = layer.feature.properties;
      var entry = entryFor(p.code);
      var look = looks[entry[0]];
      var box = el("div");
      box.appendChild(el("strong", {}, p.name));
      box.appendChild(el("div", {}, look.label));
      if (entry[1] && look.dateText) box.appendChild(el("div", {}, fill(look.dateText, { date: entry[1] })));
      return box;
    }

    getJSON(config.boundaries.municipality).then(function (data) {
      var layer = L.geoJSON(data, {
        style: style,
        onEachFeature: function (feature, area) {
          area.bindTooltip(tooltip, { sticky: true });
          area.on("click", function () {
            openPage(config, config.placeUrl.municipality + feature.properties.code + "?lang=" + config.lang);
          });
          area.on("mouseover", function () { area.setStyle({ weight: 2.5, color: "#1b1f24" }); });
          area.on("mouseout", function () { layer.resetStyle(area); });
        },
      }).addTo(map);
      var svg = mapNode.querySelector(".leaflet-overlay-pane svg");
      config.coverageStates.forEach(function (look) {
        if (look.hatch && svg) hatchPattern(svg, "kk-hatch-map-" + look.key, look);
      });
      mapNode.setAttribute("data-features", String(layer.getLayers().length));
      mapNode.setAttribute("data-ready", "true");
    }).catch(function () {
      var errorBox = document.getElementById("filter-error");
      errorBox.textContent = text.failed;
      errorBox.hidden = false;
    });

    // the filters do not change coverage: only switching the view leaves this mode
    var form = document.getElementById("filters");
    if (form) {
      form.addEventListener("change", function (event) {
        if (event.target && event.target.name === "view") window.location.assign("?" + queryFrom(form));
      });
    }
  }

  K.mountMap = function (map, config) {
    if (config.compact) return mountCompact(map, config);
    if (config.view === "coverage") return mountCoverage(map, config);
    var text = config.text;
    var state = {
      level: config.level,
      counts: config.counts,
      params: filterParams(new URLSearchParams(window.location.search)),
      layer: null,
      boundaries: {},
      names: {},
      request: 0,
    };
    var form = document.getElementById("filters");
    var summary = document.getElementById("map-summary");
    var errorBox = document.getElementById("filter-error");
    var tableLink = document.getElementById("table-link");
    var panel = document.getElementById("map-panel");
    var panelTitle = document.getElementById("map-panel-title");
    var panelBody = document.getElementById("map-panel-body");
    var mapNode = map.getContainer();
    mapNode.setAttribute("data-level", state.level);
    // areas lie below the markers' overlay pane, whatever order they are drawn in
    map.createPane("areas").style.zIndex = 350;

    var drawLegend = addLegend(map, config);

    /* ---- choropleth ---- */
    function styleFor(breaks) {
      return areaStyle(state.counts, breaks, config);
    }

    function countText(n) {
      return K.countText(text, n);
    }

    function tooltip(layer) {
      var p = layer.feature.properties;
      var box = el("div");
      box.appendChild(el("strong", {}, p.name));
      box.appendChild(el("div", {}, countText(state.counts[p.code] || 0)));
      return box;
    }

    function restyle() {
      if (!state.layer) return;
      var breaks = K.classBreaks(Object.values(state.counts), config.palette.length);
      state.layer.setStyle(styleFor(breaks));
      drawLegend(breaks);
      mapNode.setAttribute("data-restyled", String(Number(mapNode.getAttribute("data-restyled") || 0) + 1));
    }

    function loadBoundaries(level) {
      if (state.boundaries[level]) return Promise.resolve(state.boundaries[level]);
      return getJSON(config.boundaries[level]).then(function (data) {
        state.boundaries[level] = data;
        data.features.forEach(function (f) { state.names[f.properties.code] = f.properties.name; });
        return data;
      });
    }

    function drawLayer(level) {
      return loadBoundaries(level).then(function (data) {
        if (state.layer) map.removeLayer(state.layer);
        var breaks = K.classBreaks(Object.values(state.counts), config.palette.length);
        state.layer = L.geoJSON(data, {
          pane: "areas",
          style: styleFor(breaks),
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(tooltip, { sticky: true });
            layer.on("click", function () { openPanel(feature.properties.code, feature.properties.name); });
            layer.on("mouseover", function () { layer.setStyle({ weight: 2.5, color: "#1b1f24" }); });
            layer.on("mouseout", function () {
              state.layer.resetStyle(layer);
              outlineNeighbour(layer);
            });
          },
        }).addTo(map);
        drawLegend(breaks);
        mapNode.setAttribute("data-level", level);
        mapNode.setAttribute("data-features", String(data.features.length));
        mapNode.setAttribute("data-ready", "true");
      });
    }

    /* ---- panel listing an area's initiatives ---- */
    function closePanel() {
      panel.hidden = true;
      state.panelFor = null;
      clearNeighbours();
    }

    function openPanel(code, name) {
      var placeKey = state.level === "region" ? "region" : "municipality";
      var params = new URLSearchParams(state.params);
      params.delete("region");
      params.delete("municipality");
      params.set(placeKey, code);
      clearNeighbours();
      state.panelFor = code;
      panel.hidden = false;
      panelTitle.textContent = name;
      panelBody.textContent = "";
      panelBody.appendChild(el("p", {}, text.loading));
      panel.focus();
      var listParams = new URLSearchParams(params);
      listParams.set("per_page", "100");
      getJSON(config.initiativesApi + "?" + listParams).then(function (body) {
        if (state.panelFor !== code) return;
        panelBody.textContent = "";
        var lead = el("p");
        lead.appendChild(document.createTextNode(countText(body.total) + " · "));
        lead.appendChild(el("a", { href: config.placeUrl[state.level] + encodeURIComponent(code) + "?lang=" + config.lang },
          fill(text.open_place, { name: name })));
        panelBody.appendChild(lead);
        if (state.level === "municipality") panelBody.appendChild(neighbourControl(code, name));
        if (!body.items.length) {
          panelBody.appendChild(el("p", {}, text.no_initiatives));
          return;
        }
        var groups = {};
        var order = Object.keys(config.benefitNames).concat(["other"]);
        body.items.forEach(function (item) {
          var keys = item.benefit_areas.length ? item.benefit_areas : ["other"];
          keys.forEach(function (key) { (groups[key] = groups[key] || []).push(item); });
        });
        order.forEach(function (key) {
          if (!groups[key]) return;
          panelBody.appendChild(el("h3", {}, (config.benefitNames[key] || text.other) + " (" + groups[key].length + ")"));
          var list = el("ul");
          groups[key].forEach(function (item) {
            var li = el("li");
            li.appendChild(el("a", { href: config.initiativeUrl + item.id + "?lang=" + config.lang }, item.title));
            var adopted = (item.adopted_by || []).some(function (a) { return a.code === code; });
            if (adopted) {
              li.appendChild(document.createTextNode(" "));
              li.appendChild(el("span", { class: "adopted-mark" }, text.adopted_mark));
            }
            list.appendChild(li);
          });
          panelBody.appendChild(list);
        });
        if (body.total > body.items.length) {
          var more = el("p");
          params.set("lang", config.lang);
          more.appendChild(el("a", { href: config.tableUrl + "?" + params }, fill(text.all_in_table, { n: body.total })));
          panelBody.appendChild(more);
        }
      }).catch(function () {
        panelBody.textContent = text.failed;
      });
    }

    /* ---- "show my neighbours": outline the municipalities bordering the selected one ---- */
    var neighbours = { of: null, codes: [] };
    var SELECTED_STYLE = { color: "#1b1f24", weight: 3.5, dashArray: null };
    var NEIGHBOUR_STYLE = { color: "#d4500b", weight: 3, dashArray: null };

    function outlineNeighbour(layer) {
      var code = layer.feature.properties.code;
      var selected = neighbours.of !== null && code === neighbours.of;
      var neighbour = neighbours.codes.indexOf(code) >= 0;
      var path = layer.getElement && layer.getElement();
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
        state.layer.eachLayer(function (layer) {
          state.layer.resetStyle(layer);
          outlineNeighbour(layer);
        });
      }
      mapNode.removeAttribute("data-neighbours");
    }

    function showNeighbours(code, codes) {
      neighbours.of = code;
      neighbours.codes = codes;
      var bounds = L.latLngBounds([]);
      state.layer.eachLayer(function (layer) {
        outlineNeighbour(layer);
        var c = layer.feature.properties.code;
        if (c === code || codes.indexOf(c) >= 0) bounds.extend(layer.getBounds());
      });
      var overlaid = window.getComputedStyle(panel).position === "absolute";
      map.fitBounds(bounds, {
        paddingTopLeft: [20, 20],
        paddingBottomRight: [(overlaid ? panel.offsetWidth : 0) + 20, 20],
        maxZoom: 10,
      });
      mapNode.setAttribute("data-neighbours", codes.join(" "));
    }

    /** A button in the panel that outlines (and lists) the neighbours of `code`. */
    function neighbourControl(code, name) {
      var box = el("div", { class: "map-neighbours" });
      var button = el("button", { type: "button", class: "secondary" }, text.show_neighbours);
      var status = el("p", { role: "status" });
      var list = el("ul", { class: "map-neighbour-list" });
      box.appendChild(button);
      box.appendChild(status);
      box.appendChild(list);
      button.addEventListener("click", function () {
        status.textContent = "";
        list.textContent = "";
        if (neighbours.of === code) {
          clearNeighbours();
          button.textContent = text.show_neighbours;
          return;
        }
        getJSON(config.neighboursUrl + encodeURIComponent(code)).then(function (body) {
          if (state.panelFor !== code) return;
          var codes = body.neighbours;
          showNeighbours(code, codes);
          button.textContent = text.hide_neighbours;
          status.textContent = codes.length
            ? fill(codes.length === 1 ? text.neighbours_one : text.neighbours_many, { n: codes.length })
            : fill(text.no_neighbours, { name: name });
          codes.slice().sort(function (a, b) {
            return String(state.names[a] || a).localeCompare(String(state.names[b] || b), config.lang);
          }).forEach(function (other) {
            var li = el("li");
            li.appendChild(el("a", { href: config.placeUrl.municipality + other + "?lang=" + config.lang },
              state.names[other] || other));
            list.appendChild(li);
          });
        }).catch(function () {
          status.textContent = text.failed;
        });
      });
      return box;
    }

    document.getElementById("map-panel-close").addEventListener("click", closePanel);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closePanel();
    });

    /* ---- clustered points ---- */
    state.points = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      iconCreateFunction: clusterIcon,
    });
    var layers = {};
    layers[text.points] = state.points;
    L.control.layers(null, layers, { collapsed: false, position: "topleft" }).addTo(map);
    map.addLayer(state.points);

    function loadPoints() {
      var url = config.pointsUrl + "?" + state.params;
      return getJSON(url).then(function (rows) {
        state.points.clearLayers();
        var markers = rows.map(function (row) {
          var marker = L.circleMarker([row[1], row[2]], {
            radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#b0413e", fillOpacity: 0.95,
          });
          marker.bindPopup(function () {
            return el("a", { href: config.initiativeUrl + row[0] + "?lang=" + config.lang }, row[3]);
          });
          return marker;
        });
        state.points.addLayers(markers);
        mapNode.setAttribute("data-points", String(rows.length));
      });
    }

    /* ---- summary, table and URL ---- */
    function placesText(n) {
      if (state.level === "region") return fill(n === 1 ? text.county_one : text.counties_many, { n: n });
      return fill(n === 1 ? text.municipality_one : text.municipalities_many, { n: n });
    }

    function updateSummary(total) {
      var places = Object.values(state.counts).filter(function (c) { return c > 0; }).length;
      var line = fill(text.summary, { initiatives: countText(total), places: placesText(places) });
      var benefits = state.params.getAll("benefit").map(function (slug) { return config.benefitNames[slug] || slug; });
      if (benefits.length) line = fill(text.summary_for, { line: line, benefits: benefits.join(text.or) });
      summary.textContent = line;
      var caption = document.querySelector("#map-counts caption");
      if (caption) caption.textContent = line;
    }

    function updateTable(places) {
      var body = document.querySelector("#map-counts tbody");
      var head = document.getElementById("map-counts-place");
      if (!body) return;
      head.textContent = state.level === "region" ? text.county : text.municipality;
      body.textContent = "";
      places.forEach(function (place) {
        var row = el("tr");
        var th = el("th", { scope: "row" });
        th.appendChild(el("a", { href: config.placeUrl[state.level] + place.code + "?lang=" + config.lang }, place.name));
        row.appendChild(th);
        row.appendChild(el("td", { class: "num", "data-code": place.code }, place.count));
        body.appendChild(row);
      });
    }

    function boundaryPlaces() {
      return state.boundaries[state.level].features.map(function (f) {
        var code = f.properties.code;
        return { code: code, name: f.properties.name, count: state.counts[code] || 0 };
      });
    }

    function pageUrl() {
      var params = new URLSearchParams(state.params);
      if (state.level !== "municipality") params.set("level", state.level);
      params.set("lang", config.lang);
      return "?" + params;
    }

    function apply() {
      var params = queryFrom(form);
      if (params.get("view") === "coverage") {  // a page of its own
        window.location.assign("?" + params);
        return;
      }
      var level = params.get("level") || "municipality";
      var filters = filterParams(params);
      var ticket = ++state.request;
      var countsUrl = config.countsApi[level] + "?" + filters;
      var totalParams = new URLSearchParams(filters);
      totalParams.set("per_page", "1");
      Promise.all([getJSON(countsUrl), getJSON(config.initiativesApi + "?" + totalParams)])
        .then(function (results) {
          if (ticket !== state.request) return;
          errorBox.hidden = true;
          var counts = {};
          results[0].forEach(function (place) { counts[place.code] = place.count; });
          state.counts = counts;
          state.params = filters;
          var levelChanged = level !== state.level;
          state.level = level;
          var drawn = levelChanged ? drawLayer(level) : Promise.resolve(restyle());
          return drawn.then(function () {
            updateSummary(results[1].total);
            updateTable(results[0]);
            var figuresParams = new URLSearchParams(filters);
            if (level !== "municipality") figuresParams.set("level", level);
            document.getElementById("figures-link").href = config.figuresUrl + "?" + figuresParams;
            document.querySelectorAll(".downloads a[download]").forEach(function (link) {
              var url = new URL(link.href);
              url.search = filters.toString();
              link.href = url.pathname + url.search;
            });
            if (tableLink) {
              var tableParams = new URLSearchParams(filters);
              tableParams.set("lang", config.lang);
              tableLink.href = config.tableUrl + "?" + tableParams;
            }
            window.history.replaceState(null, "", pageUrl());
            closePanel();
            return loadPoints();
          });
        })
        .catch(function (error) {
          if (ticket !== state.request) return;
          errorBox.textContent = error.message || text.failed;
          errorBox.hidden = false;
        });
    }

    if (form) {
      var timer = null;
      var schedule = function (delay) {
        window.clearTimeout(timer);
        timer = window.setTimeout(apply, delay);
      };
      form.addEventListener("change", function () { schedule(150); });
      form.addEventListener("input", function (event) {
        if (event.target && event.target.type === "search") schedule(400);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        schedule(0);
      });
    }

    drawLayer(state.level).then(function () {
      updateTable(boundaryPlaces());
      return loadPoints();
    }).catch(function () {
      errorBox.textContent = text.failed;
      errorBox.hidden = false;
    });
  };
})();
