/* Front-desk console: choosing another hotel shows its console at once. */
document.addEventListener("DOMContentLoaded", function () {
  var picker = document.getElementById("hotel-picker");
  if (picker) { picker.addEventListener("change", function () { picker.form.submit(); }); }
});
