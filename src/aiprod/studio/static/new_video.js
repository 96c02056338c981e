// The new-video form: the voice list follows the language, and the two preview buttons
// play a sentence in the chosen voice or a few seconds of the chosen mood. The form works
// without this script (the server checks the voice against the language).
(function () {
  "use strict";
  var form = document.getElementById("new-video");
  if (!form) { return; }
  var language = document.getElementById("language");
  var voice = document.getElementById("voice");
  var mood = document.getElementById("music-mood");

  // what the estimate detected in the brief, when nothing is chosen
  function detected(attribute, fallback) {
    var found = document.querySelector("#estimate [" + attribute + "]");
    return found ? found.getAttribute(attribute) : fallback;
  }

  function followLanguage() {
    var code = language.value;
    for (var i = 0; i < voice.options.length; i += 1) {
      var option = voice.options[i];
      if (!option.dataset.language) { continue; }
      var shown = option.dataset.language === code;
      option.hidden = !shown;
      option.disabled = !shown;
      if (!shown && option.selected) { voice.value = ""; }
    }
  }

  function previewUrl(kind) {
    var params = new URLSearchParams();
    if (kind === "voice") {
      params.set("language", language.value || detected("data-language", "en"));
      if (voice.value) { params.set("voice", voice.value); }
    } else {
      params.set("mood", mood.value || detected("data-mood", "calm"));
      params.set("seconds", "6");
    }
    return "/studio/previews/" + kind + "?" + params.toString();
  }

  function play(button) {
    var player = document.getElementById(button.dataset.player);
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    status.textContent = "Preparing the preview\u2026";
    player.hidden = false;
    player.src = previewUrl(button.dataset.preview);
    player.play().then(function () {
      status.textContent = "Playing.";
    }).catch(function () {
      status.textContent = "The preview could not be played.";
    });
  }

  var buttons = form.querySelectorAll("button[data-preview]");
  for (var i = 0; i < buttons.length; i += 1) {
    buttons[i].hidden = false;  // they need this script
    buttons[i].addEventListener("click", function (event) { play(event.currentTarget); });
  }
  language.addEventListener("change", followLanguage);
  followLanguage();
})();
