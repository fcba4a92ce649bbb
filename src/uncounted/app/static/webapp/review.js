/* Review queue keyboard shortcuts: s = same person, d = different, u = unsure, n = note. */
(function () {
  "use strict";
  var form = document.getElementById("decide-form");
  if (!form) { return; }
  var note = document.getElementById("note");
  var verdict = document.getElementById("verdict");
  function submit(value) {
    verdict.value = value;
    form.submit();
  }
  document.querySelectorAll("button[data-verdict]").forEach(function (b) {
    b.addEventListener("click", function (e) { e.preventDefault(); submit(b.dataset.verdict); });
  });
  document.addEventListener("keydown", function (e) {
    if (e.target === note || e.ctrlKey || e.metaKey || e.altKey) {
      if (e.target === note && e.key === "Escape") { note.blur(); }
      return;
    }
    var keys = { s: "same", d: "different", u: "unsure" };
    var k = e.key.toLowerCase();
    if (keys[k]) { e.preventDefault(); submit(keys[k]); }
    else if (k === "n") { e.preventDefault(); note.focus(); }
  });
})();
