/* Tape chart: drag a booking that has no room onto a room's row to assign it. The drop only fills the
   booking's own "Room" select and submits its form, so it does exactly what picking from the select does. */
document.addEventListener("DOMContentLoaded", function () {
  var chart = document.getElementById("tape-chart");
  if (!chart) { return; }
  var dragged = null;

  function mayTake(row) {
    return dragged !== null && (" " + dragged.dataset.free + " ").indexOf(" " + row.dataset.room + " ") >= 0;
  }
  function rows() { return chart.querySelectorAll("tr.tc-room"); }
  function mark(on) {
    chart.classList.toggle("tc-dragging", on);
    rows().forEach(function (row) {
      row.classList.toggle("tc-drop-ok", on && mayTake(row));
      row.classList.remove("tc-drop-over");
    });
  }

  document.querySelectorAll(".tc-waiting[draggable=true]").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      event.dataTransfer.setData("text/plain", item.dataset.reservation);
      event.dataTransfer.effectAllowed = "move";
      mark(true);
    });
    item.addEventListener("dragend", function () { mark(false); dragged = null; });
  });

  rows().forEach(function (row) {
    row.addEventListener("dragover", function (event) {
      if (mayTake(row)) { event.preventDefault(); event.dataTransfer.dropEffect = "move"; row.classList.add("tc-drop-over"); }
    });
    row.addEventListener("dragleave", function () { row.classList.remove("tc-drop-over"); });
    row.addEventListener("drop", function (event) {
      if (!mayTake(row)) { return; }
      event.preventDefault();
      var form = dragged.querySelector("form.tc-assign");
      form.elements.room.value = row.dataset.room;
      form.submit();
    });
  });
});
