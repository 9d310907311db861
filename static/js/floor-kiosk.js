// Kiosk keypad: a touch screen has no keyboard, so the digit pad types into the field last touched
// (the ID number or the booking code). Without JavaScript the fields still take typed input.
(function () {
  "use strict";
  var pad = document.getElementById("kiosk-pad");
  if (!pad) { return; }
  var target = document.getElementById("kiosk-code");
  ["kiosk-id", "kiosk-code"].forEach(function (id) {
    var field = document.getElementById(id);
    if (field) {
      field.addEventListener("focus", function () {
        target = field;
        pad.dataset.target = id;
      });
    }
  });
  pad.hidden = false;
  pad.addEventListener("click", function (event) {
    var key = event.target.closest("[data-key]");
    if (!key || !target) { return; }
    var value = key.dataset.key;
    if (value === "back") {
      target.value = target.value.slice(0, -1);
    } else if (value === "clear") {
      target.value = "";
    } else if (target.value.length < target.maxLength) {
      target.value += value;
    }
    target.focus();
  });
})();
