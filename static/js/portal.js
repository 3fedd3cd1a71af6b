// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-remove-row]");
  if (target) { event.preventDefault(); var row = target.closest(".leg-row"); if (row) { row.remove(); } }
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
    }
  }
});
document.addEventListener("click", function (event) {
  var picker = event.target.closest && event.target.closest("input.day-picker");
  if (picker && picker.showPicker) { try { picker.showPicker(); } catch (e) { /* the tap opens it anyway */ } }
});
// Legs chain: a new leg starts where the previous one ended.
document.addEventListener("htmx:afterSwap", function (event) {
  if (!event.detail.target || event.detail.target.id !== "legs") { return; }
  var rows = event.detail.target.querySelectorAll(".leg-row");
  if (rows.length < 2) { return; }
  var prev = rows[rows.length - 2], next = rows[rows.length - 1];
  ["province", "country", "city"].forEach(function (part) {
    var from = prev.querySelector("[name$='-to_" + part + "']"), to = next.querySelector("[name$='-from_" + part + "']");
    if (from && to) { to.value = from.value; }
  });
  if (prev.querySelector("[name$='-to_country']").value) { next.querySelector("details.abroad").open = true; }
  var first = next.querySelector("[name$='-to_province']");
  if (first) { first.focus(); }
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
      if (first && words.length) { select.value = first.value; }
    });
  });
});
