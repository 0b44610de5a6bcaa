// Enhance the query textarea with CodeMirror (SPARQL highlighting). Without JavaScript the
// plain textarea and the Run button do the same job.
(function () {
  "use strict";
  var area = document.getElementById("query-text");
  if (!area || typeof CodeMirror === "undefined") { return; }
  var editor = CodeMirror.fromTextArea(area, {
    mode: "application/sparql-query", lineNumbers: true, viewportMargin: Infinity,
    extraKeys: { "Ctrl-Enter": function () { editor.save(); area.form.submit(); },
                 "Tab": false, "Shift-Tab": false }
  });
  editor.getInputField().setAttribute("aria-label", "SPARQL query");
  var saved = document.getElementById("saved");
  if (saved) {
    saved.addEventListener("change", function () { saved.form.submit(); });
  }
}());
