// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-remove-row]");
  if (target) { event.preventDefault(); var row = target.closest(".leg-row"); if (row) { row.remove(); } }
});
