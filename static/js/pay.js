/* The payment-link page (test card fields): one submit per click, and a form sent back with errors in view. */
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("payment-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.textContent = button.textContent + "\u2026"; }
  });
  if (form.dataset.hasErrors) { form.scrollIntoView(); }
});
