/* The children's ages: one select per child, added or removed as the children count changes (the count's
   data-child-count names the ages' fieldset). Without this script the form's update button re-renders them. */
(function () {
  "use strict";

  function wire(count) {
    var box = document.getElementById(count.getAttribute("data-child-count"));
    if (!box) return;
    var list = box.querySelector(".child-age-list");
    var template = box.querySelector("template[data-child-age-template]");
    if (!list || !template) return;
    if (count.form) count.form.classList.add("scripted");

    function follow() {
      var wanted = parseInt(count.value, 10);
      wanted = isNaN(wanted) || wanted < 0 ? 0 : Math.min(wanted, 50);
      var rows = list.querySelectorAll(".child-age");
      for (var i = rows.length; i > wanted; i--) list.removeChild(rows[i - 1]);
      for (var n = rows.length + 1; n <= wanted; n++) {
        var html = template.innerHTML.replace(/__N__/g, String(n));
        var holder = document.createElement("div");
        holder.innerHTML = html;
        list.appendChild(holder.firstElementChild);
      }
      box.hidden = wanted === 0;
    }

    count.addEventListener("change", follow);
    count.addEventListener("input", follow);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-child-count]").forEach(wire);
  });
})();
