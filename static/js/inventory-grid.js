/* Bring today's column into view when the month is wider than the screen. */
document.addEventListener("DOMContentLoaded", function () {
  var today = document.querySelector(".inventory-table th.today"), box = document.querySelector(".grid-scroll");
  if (today && box && box.scrollWidth > box.clientWidth) { box.scrollLeft = Math.max(0, today.offsetLeft - 200); }
});
