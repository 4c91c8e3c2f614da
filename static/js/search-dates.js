// The search form's dates: check-out's earliest day follows check-in (plus the minimum stay), and a check-out
// that falls before it moves with it. Native date inputs only: the browser's own picker, usable by keyboard.
(function () {
  "use strict";

  function addDays(iso, days) {
    var d = new Date(iso + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function wire(form) {
    var checkIn = form.querySelector("[data-check-in]");
    var checkOut = form.querySelector("[data-check-out]");
    if (!checkIn || !checkOut) return;
    var nights = parseInt(checkOut.getAttribute("data-min-nights"), 10) || 1;

    function follow() {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(checkIn.value)) return;
      var earliest = addDays(checkIn.value, nights);
      checkOut.min = earliest;
      if (!checkOut.value || checkOut.value < earliest) checkOut.value = earliest;
    }

    checkIn.addEventListener("change", follow);
    if (checkIn.value) checkOut.min = addDays(checkIn.value, nights);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.search-form").forEach(wire);
  });
})();
