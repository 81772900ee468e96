/* The coordinator form's effect rows: "Add another effect" adds a row in place instead of
   posting the form back, and each row's unit maths ("5 personer × 2 h per vecka ≈ 520 h per
   år") follows what is typed. The rows work without this script; the conversion is the one
   the server uses (services/register/effects.py) and comes with the page. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "sv";

  function number(text) {
    var raw = text.replace(/[\s\u00a0]/g, "").replace("\u2212", "-");
    if (raw.split(",").length === 2 && raw.indexOf(".") === -1) raw = raw.replace(",", ".");
    var value = Number(raw);
    return raw !== "" && isFinite(value) ? value : null;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_all, name) { return values[name]; });
  }

  function maths(row, strings) {
    var get = function (name) { return row.querySelector("[name$='-" + name + "']"); };
    var amount = number(get("amount").value);
    var unit = get("unit").value;
    var periodSelect = get("period");
    var period = periodSelect.value;
    var people = number(get("people").value);
    if (amount === null || amount <= 0 || !(unit in strings.short) || !period) return "";
    var short = strings.short[unit];
    var periodText = periodSelect.options[periodSelect.selectedIndex].text;
    var stated = (amount.toLocaleString(lang) + " " + short).trim() + " " + periodText;
    var withPeople = unit === "hours" && people !== null && people >= 1;
    if (withPeople) stated = fill(strings.people, { people: people.toLocaleString(lang), amount: stated });
    var factor = strings.factors[period];
    if (!factor || (period === "year" && !withPeople)) return stated;
    var yearly = amount * factor * (withPeople ? people : 1);
    return fill(strings.yearly, {
      stated: stated,
      yearly: Math.round(yearly).toLocaleString(lang),
      unit: short
    }).replace(/ {2}/g, " ");
  }

  function setup(section) {
    var strings = JSON.parse(section.getAttribute("data-maths"));
    var list = section.querySelector("[data-effect-rows]");
    var add = section.querySelector("[data-add-effect]");

    function update(row) {
      row.querySelector("[data-effect-maths]").textContent = maths(row, strings);
    }

    list.addEventListener("input", function (event) {
      var row = event.target.closest("[data-effect-row]");
      if (row) update(row);
    });
    list.addEventListener("change", function (event) {
      var row = event.target.closest("[data-effect-row]");
      if (row) update(row);
    });

    add.type = "button";
    add.addEventListener("click", function () {
      var rows = list.querySelectorAll("[data-effect-row]");
      var last = rows[rows.length - 1];
      var index = rows.length;
      var row = last.cloneNode(true);
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/effects-\d+-/g, "effects-" + index + "-"));
        });
      });
      row.querySelectorAll(".field-errors").forEach(function (el) { el.remove(); });
      row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      row.querySelectorAll("[aria-invalid]").forEach(function (el) {
        el.removeAttribute("aria-invalid");
        el.removeAttribute("aria-describedby");
      });
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
      var legend = row.querySelector("legend");
      legend.textContent = legend.textContent.replace(/\d+/, String(index + 1));
      row.querySelector("[data-effect-maths]").textContent = "";
      list.appendChild(row);
      row.querySelector("select, input").focus();
    });
  }

  document.querySelectorAll("[data-effects]").forEach(setup);
})();
