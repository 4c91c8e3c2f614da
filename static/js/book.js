/* The book page: one submit per click (the button says so), and a form sent back with errors in view. */
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("booking-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.textContent = button.dataset.busy || "Booking\u2026"; }
  });
  if (form.dataset.hasErrors) { form.scrollIntoView(); }
});
