// Small glue, loaded on every page. No inline script anywhere (the Content-Security-Policy
// forbids it): pages declare behaviour with data attributes and this file wires them.

// A failed htmx request shows a toast (the page stays as it was).
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

// <form data-confirm="Delete X?">: ask before a destructive submit.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// <button data-print>: print the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-print]");
  if (button) { window.print(); }
});

// "More filters" on a phone's filter bar: show every field.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-more-filters]");
  if (!button) { return; }
  var form = button.closest("form");
  form.classList.toggle("show-all");
  var open = form.classList.contains("show-all");
  button.setAttribute("aria-expanded", open ? "true" : "false");
  button.textContent = open ? "Fewer filters" : "More filters";
});

// Typing in a list's filter bar (.live-filter): the first request of the typing adds a
// history entry, the ones after it replace that entry, so Back returns to the list as it
// was before the typing however slowly the keys come (each 300 ms pause sends a request).
var typedUrl = null;
document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
  var config = event.detail.requestConfig || {};
  var trigger = config.triggeringEvent;
  var typing = !!(trigger && trigger.type === "input" && trigger.target &&
    trigger.target.classList && trigger.target.classList.contains("live-filter"));
  if (typing && typedUrl === location.href) { event.detail.history.type = "replace"; }
  typedUrl = typing ? new URL(event.detail.history.path, location.href).href : null;
});
