// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-remove-row]");
  if (target) { event.preventDefault(); var row = target.closest(".leg-row"), legs = row && row.parentNode; if (row) { row.remove(); chainLegs(legs); } }
});

// Dates: the calendar beside a dd/mm/yyyy box is the device's own picker; keep the two in step.
function isoToDay(iso) { var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || ""); return m ? m[3] + "/" + m[2] + "/" + m[1] : ""; }
function dayToIso(text) {
  var m = /^\s*(\d{1,2})\D+(\d{1,2})\D+(\d{4})\s*$/.exec(text || "");
  if (!m) { return ""; }
  var pad = function (n) { return ("0" + n).slice(-2); };
  return m[3] + "-" + pad(m[2]) + "-" + pad(m[1]);
}
document.addEventListener("change", function (event) {
  var t = event.target;
  if (t.matches && t.matches("input.day-picker")) {
    var box = t.closest(".day-field").querySelector("input.day-text");
    box.value = isoToDay(t.value);
    box.dispatchEvent(new Event("change", { bubbles: true }));
  } else if (t.matches && t.matches("input.day-text")) {
    var picker = t.closest(".day-field").querySelector("input.day-picker");
    if (picker) { picker.value = dayToIso(t.value); }
  }
  // A traveller ticked in the search results joins the chosen list (and may head the delegation).
  if (t.matches && t.matches("#traveller-results input[name=travellers]")) {
    var chosen = document.getElementById("travellers-chosen");
    if (chosen && t.checked) {
      if (chosen.querySelector("input[value='" + t.value + "']")) { t.closest("li").remove(); return; }
      chosen.appendChild(t.closest("li"));
      var head = document.querySelector("select[name=head]");
      if (head && !head.querySelector("option[value='" + t.value + "']")) {
        head.appendChild(new Option(t.getAttribute("data-name"), t.value));
      }
      // The one looked for is chosen: the search is emptied for the next one (and the list of others goes).
      var search = document.getElementById("traveller-search"), results = document.getElementById("traveller-results");
      if (search) { search.value = ""; search.focus(); }
      if (results) { results.innerHTML = ""; }
    }
  }
});
document.addEventListener("click", function (event) {
  var picker = event.target.closest && event.target.closest("input.day-picker");
  if (picker && picker.showPicker) { try { picker.showPicker(); } catch (e) { /* the tap opens it anyway */ } }
});
// Legs chain: a new leg starts where the previous one ended. While it does, its "from" is shown as text (the
// place) with a "change" beside it; a later change of the previous leg's "to" carries over.
var LEG_PARTS = ["province", "country", "city"];
function legEnd(row, end) {
  return LEG_PARTS.map(function (part) { var f = row.querySelector("[name$='-" + end + "_" + part + "']"); return f ? f.value : ""; });
}
function placeText(row, end) {
  var province = row.querySelector("[name$='-" + end + "_province']");
  if (province && province.value) { return province.options[province.selectedIndex].text; }
  var country = row.querySelector("[name$='-" + end + "_country']"), city = row.querySelector("[name$='-" + end + "_city']");
  return [city ? city.value : "", country && country.value ? country.options[country.selectedIndex].text : ""].filter(Boolean).join(", ");
}
function markChained(row, prev) {
  var chained = !!prev && !row.hasAttribute("data-unchained") && !row.querySelector(".leg-from .errorlist") && legEnd(row, "from").join("|") === legEnd(prev, "to").join("|")
    && !!placeText(prev, "to");
  row.classList.toggle("chained", chained);
  var place = row.querySelector(".chained-place");
  if (place) { place.textContent = chained ? placeText(prev, "to") : ""; }
}
function chainLegs(container) {
  var rows = container.querySelectorAll(".leg-row");
  rows.forEach(function (row, i) { markChained(row, i ? rows[i - 1] : null); });
}
document.addEventListener("htmx:afterSwap", function (event) {
  if (!event.detail.target || event.detail.target.id !== "legs") { return; }
  var rows = event.detail.target.querySelectorAll(".leg-row");
  if (rows.length < 2) { return; }
  var prev = rows[rows.length - 2], next = rows[rows.length - 1];
  LEG_PARTS.forEach(function (part) {
    var from = prev.querySelector("[name$='-to_" + part + "']"), to = next.querySelector("[name$='-from_" + part + "']");
    if (from && to) { to.value = from.value; }
  });
  if (prev.querySelector("[name$='-to_country']").value) { next.querySelector("details.abroad").open = true; }
  markChained(next, prev);
  var first = next.querySelector("[name$='-to_province']");
  if (first) { first.focus(); }
});
document.addEventListener("change", function (event) {
  var row = event.target.closest && event.target.closest(".leg-row");
  if (!row || !/-to_(province|country|city)$/.test(event.target.name || "")) { return; }
  var next = row.nextElementSibling;
  if (next && next.classList.contains("chained")) {
    LEG_PARTS.forEach(function (part) {
      var from = row.querySelector("[name$='-to_" + part + "']"), to = next.querySelector("[name$='-from_" + part + "']");
      if (from && to) { to.value = from.value; }
    });
  }
  chainLegs(row.parentNode);
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest(".change-from");
  if (!button) { return; }
  var row = button.closest(".leg-row");
  row.setAttribute("data-unchained", "");
  row.classList.remove("chained");
  var select = row.querySelector("[name$='-from_province']");
  if (select) { select.focus(); }
});
document.addEventListener("DOMContentLoaded", function () {
  var legs = document.getElementById("legs");
  if (legs) { chainLegs(legs); }
});
// The approver proposed is one line; a leader chosen instead takes its place there.
document.addEventListener("change", function (event) {
  var t = event.target;
  if (!t.matches || !t.matches("select[name=approver]")) { return; }
  var shown = t.closest("details.approver").querySelector(".approver-chosen"), option = t.options[t.selectedIndex];
  if (!shown) { return; }
  shown.textContent = option && option.value ? option.text + (option.parentNode.label ? " · " + option.parentNode.label : "") : "";
});
// The phone menu scrolls sideways: show the current page's entry.
document.addEventListener("DOMContentLoaded", function () {
  var here = document.querySelector("nav.main a[aria-current=page]");
  if (here && here.scrollIntoView && window.matchMedia("(max-width: 640px)").matches) {
    here.parentNode.scrollLeft = here.offsetLeft - 16;
  }
});
// Long lists of people (the leaders, grouped by unit) get a box that narrows them as one types.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.setAttribute("aria-label", select.getAttribute("data-searchable"));
    box.placeholder = select.getAttribute("data-searchable");
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), first = null;
      select.querySelectorAll("optgroup").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var text = (group.label + " " + option.text).toLowerCase();
          var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
          option.hidden = !hit;
          if (hit) { shown++; if (!first) { first = option; } }
        });
        group.hidden = shown === 0;
      });
      if (first && words.length && select.value !== first.value) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
});
