// The storyboard editor: each scene's word count and spoken length follow its narration as
// you type. The form works without this script (the server draws the same numbers).
(function () {
  "use strict";
  var form = document.getElementById("storyboard-form");
  if (!form) { return; }
  var perSecond = Number(form.dataset.wordsPerSecond) || 2.6;

  function count(area) {
    var note = form.querySelector('[data-count-for="' + area.id + '"]');
    if (!note) { return; }
    var words = area.value.split(/\s+/).filter(function (w) { return w.length > 0; }).length;
    var seconds = Math.round((words / perSecond) * 10) / 10;
    note.textContent = words + (words === 1 ? " word" : " words") + " \u00b7 about " + seconds + " s spoken";
  }
  var areas = form.querySelectorAll("textarea.narration-input");
  for (var i = 0; i < areas.length; i += 1) {
    areas[i].addEventListener("input", function (event) { count(event.target); });
    count(areas[i]);
  }
})();
