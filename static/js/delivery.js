// The delivery choice: show the pickup hall or the postal fields for the way chosen (the fields stay
// in the page without JavaScript; the server checks what the chosen way needs).
(function () {
  function update(fieldset) {
    var chosen = fieldset.querySelector("input[name$=delivery_method]:checked");
    var method = chosen ? chosen.value : "";
    fieldset.querySelectorAll("[data-delivery-for]").forEach(function (part) {
      part.hidden = part.getAttribute("data-delivery-for") !== method;
    });
  }
  document.querySelectorAll("[data-delivery-choice]").forEach(function (fieldset) {
    fieldset.addEventListener("change", function () { update(fieldset); });
    update(fieldset);
  });
})();
