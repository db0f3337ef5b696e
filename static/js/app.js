// Small glue for htmx: show a toast when a request fails, keep focus sensible.
document.addEventListener("htmx:responseError", function () {
  var el = document.getElementById("htmx-error");
  if (el && window.bootstrap) { bootstrap.Toast.getOrCreateInstance(el).show(); }
});
document.addEventListener("htmx:sendError", function () {
  var el = document.getElementById("htmx-error");
  if (el && window.bootstrap) { bootstrap.Toast.getOrCreateInstance(el).show(); }
});
