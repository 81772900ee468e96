/* "Find a place": the search field of the map and county pages as an ARIA combobox (WAI-ARIA
 * Authoring Practices, list autocomplete): suggestions from /api/v1/places as one types,
 * ArrowDown/ArrowUp to move, Enter to choose, Escape to close. Without script the same form
 * goes to /find. Choosing calls `choose(place)` if the page has a map that can show it, else
 * opens the place's page. */

import { el, fill, getJSON } from "./common.js";

export function mountSearch(form, choose) {
  const input = form.querySelector("input[name=q]");
  const list = form.querySelector("[role=listbox]");
  const status = form.querySelector("[data-place-status]");
  const lang = form.querySelector("input[name=lang]").value;
  let places = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function mark(index) {
    active = index;
    Array.from(list.children).forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function render() {
    list.textContent = "";
    places.forEach((place, i) => {
      const option = el("li", { role: "option", id: list.id + "-" + i, "aria-selected": "false" });
      option.appendChild(document.createTextNode(place.name + " "));
      option.appendChild(el("span", { class: "meta" }, place.level === "region" ? form.dataset.textCounty : form.dataset.textMunicipality));
      option.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the field
      option.addEventListener("click", () => pick(i));
      list.appendChild(option);
    });
    const n = places.length;
    status.textContent = n ? fill(n === 1 ? form.dataset.textOne : form.dataset.textMany, { n: n }) : form.dataset.textNone;
    list.hidden = !n;
    input.setAttribute("aria-expanded", String(Boolean(n)));
    active = -1;
  }

  function suggest() {
    const text = input.value;
    if (!text.trim()) {
      places = [];
      close();
      status.textContent = "";
      return;
    }
    const ticket = ++asked;
    getJSON(form.dataset.placesUrl + "?" + new URLSearchParams({ q: text.slice(0, 100), lang: lang }))
      .then((found) => {
        if (ticket !== asked) return;
        places = found;
        render();
      })
      .catch(() => close());
  }

  function pick(index) {
    const place = places[index];
    if (!place) return;
    input.value = place.name;
    close();
    if (choose) choose(place);
    else window.location.href = place.url + "?lang=" + lang;
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, 150);
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open && places.length) render();
      mark(Math.min(active + 1, places.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) mark(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        pick(active);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        event.stopPropagation();
        close();
      } else input.value = "";
    }
  });
  input.addEventListener("blur", () => window.setTimeout(close, 150));
  // Enter with no suggestion chosen: the one clear match on this page, else /find
  form.addEventListener("submit", (event) => {
    if (!choose || !input.value.trim()) return;
    event.preventDefault();
    getJSON(form.dataset.placesUrl + "?" + new URLSearchParams({ q: input.value.slice(0, 100), lang: lang }))
      .then((found) => {
        places = found;
        if (found.length === 1 || (found.length && isExact(found[0], input.value))) pick(0);
        else form.submit();
      })
      .catch(() => form.submit());
  });
}

function plain(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}

function isExact(place, text) {
  return plain(place.name) === plain(text);
}
