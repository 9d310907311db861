// Calling screen: announce each new call aloud ("请 A012 号到 5 号窗口") once the operator turns
// the voice on (browsers allow speech only after a click). The board itself is refreshed by htmx.
(function () {
  "use strict";
  var button = document.getElementById("screen-audio");
  var enabled = false;
  var lastCall = null;

  function current() {
    var node = document.getElementById("screen-current");
    return node && node.dataset.call ? node : null;
  }

  function announce() {
    var node = current();
    if (!node) { return; }
    if (node.dataset.call === lastCall) { return; }
    lastCall = node.dataset.call;
    if (!enabled || !("speechSynthesis" in window)) { return; }
    var speech = new SpeechSynthesisUtterance(node.dataset.announce);
    speech.lang = document.documentElement.lang === "en" ? "en-GB" : "zh-CN";
    window.speechSynthesis.speak(speech);
  }

  if (button) {
    button.addEventListener("click", function () {
      enabled = !enabled;
      button.setAttribute("aria-pressed", enabled ? "true" : "false");
      lastCall = null;
      announce();
    });
  }
  var node = current();
  lastCall = node ? node.dataset.call : null;
  document.body.addEventListener("htmx:afterSwap", announce);
})();
