/* The year control on the map: "initiatives started up to year N". It is the form's year_to
 * filter on a slider: moving it (pointer, or arrows, Home, End, Page Up/Down) sets the filter
 * and the map restyles in place like after any filter change, with the year in the address.
 * A year outside the data's range (typed, or in the address) clamps to the nearest end; at
 * the last year the filter is left out, so initiatives without a start year count too. */

import { fill } from "./common.js";

export function mountYearControl(form, config) {
  const box = document.getElementById("year-control");
  const range = document.getElementById("year-range");
  const output = document.getElementById("year-output");
  const field = form.querySelector("[name=year_to]");
  if (!box || !range || !output || !field || !config.years) return;
  const first = config.years.first;
  const last = config.years.last;
  const clamp = (year) => Math.min(Math.max(year, first), last);

  function show(year) {
    const words = year >= last ? config.text.years_all : fill(config.text.years_up_to, { year: year });
    output.textContent = words;
    range.setAttribute("aria-valuetext", words);
  }

  /** The filter's year_to moves the slider; one out of range is clamped, in the form too. */
  function follow() {
    const typed = parseInt(field.value, 10);
    const year = Number.isNaN(typed) ? last : clamp(typed);
    range.value = String(year);
    show(year);
    const value = year >= last ? "" : String(year);
    if (field.value !== value) {
      field.value = value;
      form.dispatchEvent(new Event("change"));
    }
  }

  range.addEventListener("input", () => {
    const year = clamp(Number(range.value));
    field.value = year >= last ? "" : String(year);
    show(year);
    form.dispatchEvent(new Event("change"));
  });
  form.addEventListener("change", (event) => {
    if (event.target === field) follow();
  });
  follow();
  box.hidden = false;
}
