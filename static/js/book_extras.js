/* The book page's extras: ticking one (or changing its quantity) re-prices the stay on the server at once. */
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("[data-extras-form]");
  if (!form) { return; }
  form.classList.add("scripted");  /* the button is for pages without the script */
  form.addEventListener("change", function () {
    form.setAttribute("aria-busy", "true");
    form.submit();
  });
});
