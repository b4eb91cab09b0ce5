// "Nghe đọc": reads a block aloud with the browser's own speech synthesis (Web Speech
// API, lang vi-VN and a Vietnamese voice when the phone has one) for people who cannot read small print.
// Progressive: the button stays hidden where speechSynthesis is missing. No inline script
// (CSP script-src 'self'); nothing is sent anywhere.
(function () {
  "use strict";

  function supported() {
    return typeof window.speechSynthesis !== "undefined" && typeof window.SpeechSynthesisUtterance === "function";
  }

  // The page's language: Vietnamese (vi-VN) unless the English interface is chosen.
  function pageLang() {
    return (document.documentElement.lang || "vi").toLowerCase().indexOf("en") === 0 ? "en-US" : "vi-VN";
  }

  function voiceFor(lang) {
    var prefix = lang.slice(0, 2);
    var voices = window.speechSynthesis.getVoices ? window.speechSynthesis.getVoices() : [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-").indexOf(prefix) === 0) { return voices[i]; }
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

  // Each reading has its own number: the events of a cancelled one change nothing.
  var reading = 0;

  function speak(button) {
    var synth = window.speechSynthesis;
    reading += 1;
    var run = reading;
    if (button.getAttribute("aria-pressed") === "true") {
      synth.cancel();
      setSpeaking(button, false);
      return;
    }
    var text = button.getAttribute("data-text") || "";
    if (!text) { return; }
    synth.cancel();
    // One utterance per sentence: some Chrome versions stop a long utterance after about
    // 15 seconds, and a short one is easier to follow at a slower rate.
    var sentences = text.match(/[^.!?]+[.!?]*/g) || [text];
    var lang = pageLang();
    var voice = voiceFor(lang);
    var left = 0;
    setSpeaking(button, true);
    for (var i = 0; i < sentences.length; i++) {
      var sentence = sentences[i].trim();
      if (!sentence) { continue; }
      var utterance = new window.SpeechSynthesisUtterance(sentence);
      utterance.lang = lang;
      utterance.rate = 0.9;
      if (voice) { utterance.voice = voice; }
      left += 1;
      utterance.onend = function () {
        left -= 1;
        if (run === reading && left <= 0) { setSpeaking(button, false); }
      };
      utterance.onerror = function () { if (run === reading) { left = 0; setSpeaking(button, false); } };
      synth.speak(utterance);
    }
    if (!left) { setSpeaking(button, false); }
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
