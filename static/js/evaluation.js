/* Ratings form: show only the tags of the chosen level (without JS every level's tags are shown,
   labelled), and count the characters of the free text. */
(function () {
  "use strict";
  var form = document.getElementById("rating-form");
  if (!form) { return; }
  form.classList.add("js");
  function level() {
    var checked = form.querySelector("input[name=level]:checked");
    return checked ? checked.value : "";
  }
  function showTags() {
    var chosen = level();
    form.querySelectorAll(".rating-tags").forEach(function (group) {
      var mine = group.getAttribute("data-tags-for") === chosen;
      group.classList.toggle("hidden-level", !mine);
      if (!mine) {
        group.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
      }
    });
  }
  form.querySelectorAll("input[name=level]").forEach(function (radio) {
    radio.addEventListener("change", showTags);
  });
  showTags();
  var text = document.getElementById("id_text");
  var counter = document.getElementById("text-count");
  if (text && counter) {
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var update = function () { counter.textContent = text.value.length + " / " + max; };
    text.addEventListener("input", update);
    update();
  }
})();
