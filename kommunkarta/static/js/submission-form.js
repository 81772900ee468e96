/* Submission, suggestion and account forms: a search box for the municipality list, a
   confirmation before deleting, and picking the location on a small Leaflet map. Everything
   here only improves forms that work without script. */
(function () {
  "use strict";

  function fold(text) {
    return text.toLocaleLowerCase("sv").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function setupPicker(picker) {
    var search = picker.querySelector("[data-picker-search]");
    var none = picker.querySelector("[data-picker-none]");
    var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-group]"));
    if (!search) return;
    search.closest(".picker-search").hidden = false;

    var chosenList = picker.querySelector("[data-picker-chosen]");

    function updateCounts() {
      var names = [];
      picker.querySelectorAll("input[type=checkbox]:checked").forEach(function (input) {
        names.push(input.parentNode.textContent.trim());
      });
      chosenList.textContent = names.length ? names.join(", ") : "\u2014";
      groups.forEach(function (group) {
        var n = group.querySelectorAll("input:checked").length;
        var count = group.querySelector("[data-picker-count]");
        count.textContent = n ? "(" + n + " \u2713)" : "";
      });
    }

    search.addEventListener("input", function () {
      var query = fold(search.value.trim());
      var any = false;
      groups.forEach(function (group) {
        var hits = 0;
        group.querySelectorAll("li").forEach(function (item) {
          var match = !query || fold(item.textContent).indexOf(query) !== -1;
          item.hidden = !match;
          if (match) hits += 1;
        });
        group.hidden = hits === 0;
        if (query) group.open = hits > 0;
        any = any || hits > 0;
      });
      none.hidden = any;
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // do not submit the whole form
    });
    picker.addEventListener("change", updateCounts);
  }

  function setupConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  }

  function number(input) {
    var value = parseFloat(input.value.replace(",", ".").replace("\u2212", "-"));
    return isFinite(value) ? value : null;
  }

  function setupLocation(box) {
    var form = box.closest("form");
    var lat = form.querySelector("[name=lat]");
    var lon = form.querySelector("[name=lon]");
    var controls = form.querySelector("[data-map-controls]");
    if (!window.L || !lat || !lon || !controls) return;
    controls.hidden = false;
    var map = null, layer = null, marker = null;

    function chosen() {
      var codes = {};
      form.querySelectorAll("input[name=municipalities]:checked").forEach(function (input) {
        codes[input.value] = true;
      });
      return codes;
    }

    function restyle() {
      if (!layer) return;
      var codes = chosen();
      var bounds = null;
      layer.eachLayer(function (feature) {
        var inside = codes[feature.feature.properties.code];
        feature.setStyle(inside
          ? { color: "#005a9c", weight: 2, fillColor: "#2b83ba", fillOpacity: 0.25 }
          : { color: "#8a939c", weight: 0.5, fillColor: "#ffffff", fillOpacity: 0.05 });
        if (inside) bounds = bounds ? bounds.extend(feature.getBounds()) : feature.getBounds();
      });
      if (bounds) map.fitBounds(bounds, { padding: [12, 12] });
    }

    function place() {
      var a = number(lat), b = number(lon);
      if (a === null || b === null) {
        if (marker) { marker.remove(); marker = null; }
        return;
      }
      if (!marker) {
        marker = L.circleMarker([a, b], { radius: 8, color: "#a4000f", weight: 3, fillOpacity: 0.6 })
          .addTo(map);
      } else {
        marker.setLatLng([a, b]);
      }
    }

    function open() {
      box.hidden = false;
      if (map) { map.invalidateSize(); return; }
      box.setAttribute("role", "application");
      box.setAttribute("aria-label", box.getAttribute("data-label"));
      map = L.map(box, { attributionControl: false }).setView([62.5, 16.5], 4);
      map.on("click", function (event) {
        lat.value = event.latlng.lat.toFixed(5);
        lon.value = event.latlng.lng.toFixed(5);
        place();
      });
      fetch(box.getAttribute("data-boundaries"))
        .then(function (response) { return response.json(); })
        .then(function (data) {
          layer = L.geoJSON(data, { interactive: false }).addTo(map);
          restyle();
          place();
        });
    }

    controls.querySelector("[data-map-open]").addEventListener("click", open);
    controls.querySelector("[data-map-clear]").addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      if (map) place();
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () { if (map) place(); });
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "municipalities") restyle();
    });
  }

  document.querySelectorAll("[data-municipality-picker]").forEach(setupPicker);
  document.querySelectorAll("form[data-confirm]").forEach(setupConfirm);
  document.querySelectorAll("[data-location-map]").forEach(setupLocation);
})();
