// Rates calendar: click a date for the first night of the bulk edit, another for the last; click a room type to
// tick or untick it in the form. Without this script the form's fields do the same by hand.
(function () {
  "use strict";
  var form = document.getElementById("bulk-edit");
  var table = document.getElementById("rate-calendar");
  if (!form || !table) { return; }
  var start = form.querySelector("[name=start]");
  var end = form.querySelector("[name=end]");
  var picking = null;

  function mark() {
    var from = start.value, to = end.value;
    table.querySelectorAll("thead th.day").forEach(function (th) {
      var d = th.getAttribute("data-date");
      th.classList.toggle("in-range", Boolean(from && to && d >= from && d <= to));
    });
  }

  table.querySelectorAll("thead th.day").forEach(function (th) {
    th.addEventListener("click", function () {
      var d = th.getAttribute("data-date");
      if (picking === null) {
        start.value = d; end.value = d; picking = d;
      } else {
        if (d < picking) { start.value = d; end.value = picking; } else { start.value = picking; end.value = d; }
        picking = null;
      }
      mark();
    });
  });
  table.querySelectorAll("tbody th.rt").forEach(function (th) {
    th.addEventListener("click", function () {
      var box = form.querySelector("[name=room_types][value='" + th.getAttribute("data-room-type") + "']");
      if (box) { box.checked = !box.checked; }
    });
  });
  start.addEventListener("change", mark);
  end.addEventListener("change", mark);
  mark();
}());
