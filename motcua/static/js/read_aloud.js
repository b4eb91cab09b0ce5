// "Nghe đọc": reads a block aloud with the browser's own speech synthesis (Web Speech
// API, Vietnamese voice when the phone has one) for people who cannot read small print.
// Progressive: the button stays hidden where speechSynthesis is missing. No inline script
// (CSP script-src 'self'); nothing is sent anywhere.
(function () {
  "use strict";

  function supported() {
    return typeof window.speechSynthesis !== "undefined" && typeof window.SpeechSynthesisUtterance === "function";
  }

  function vietnameseVoice() {
    var voices = window.speechSynthesis.getVoices ? window.speechSynthesis.getVoices() : [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-").indexOf("vi") === 0) { return voices[i]; }
    }
    return null;
  }

  function setSpeaking(button, speaking) {
    var label = button.querySelector(".read-aloud-label");
    if (!button.hasAttribute("data-label-start")) {
      button.setAttribute("data-label-start", label ? label.textContent : button.textContent);
    }
    var text = speaking ? button.getAttribute("data-label-stop") : button.getAttribute("data-label-start");
    if (label) { label.textContent = text; } else { button.textContent = text; }
    button.setAttribute("aria-pressed", speaking ? "true" : "false");
  }

  function speak(button) {
    var synth = window.speechSynthesis;
    if (button.getAttribute("aria-pressed") === "true") {
      synth.cancel();
      setSpeaking(button, false);
      return;
    }
    var text = button.getAttribute("data-text") || "";
    if (!text) { return; }
    synth.cancel();
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "vi-VN";
    utterance.rate = 0.9;
    var voice = vietnameseVoice();
    if (voice) { utterance.voice = voice; }
    utterance.onend = function () { setSpeaking(button, false); };
    utterance.onerror = function () { setSpeaking(button, false); };
    setSpeaking(button, true);
    synth.speak(utterance);
  }

  function init(root) {
    if (!supported()) { return; }
    var buttons = (root || document).querySelectorAll("[data-read-aloud]");
    for (var i = 0; i < buttons.length; i++) { buttons[i].hidden = false; }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-read-aloud]") : null;
    if (button && supported()) { speak(button); }
  });
  // Stop reading when the person leaves the page.
  window.addEventListener("pagehide", function () { if (supported()) { window.speechSynthesis.cancel(); } });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  // Content swapped in by htmx gets its buttons too.
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
