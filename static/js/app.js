// Small glue for htmx: show a toast when a request fails, keep focus sensible.
document.addEventListener("htmx:responseError", function (event) {
  var el = document.getElementById("htmx-error");
  if (!el || !window.bootstrap) { return; }
  var body = el.querySelector(".toast-body");
  if (body && !body.dataset.text) { body.dataset.text = body.textContent; }
  if (body) {
    // 503: the database was busy and nothing was changed (apps.core.middleware).
    body.textContent = event.detail.xhr.status === 503
      ? "The system is busy right now; nothing was changed. Please try again in a moment."
      : body.dataset.text;
  }
  bootstrap.Toast.getOrCreateInstance(el).show();
});
document.addEventListener("htmx:sendError", function () {
  var el = document.getElementById("htmx-error");
  if (el && window.bootstrap) { bootstrap.Toast.getOrCreateInstance(el).show(); }
});
