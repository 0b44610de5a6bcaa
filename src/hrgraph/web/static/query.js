// The query page with YASGUI: Yasqe (the editor) over the query textarea, Yasr (the results, a
// sortable and paged table) under both forms. Without JavaScript, or when YASGUI did not load,
// the same two forms submit to the page itself and the server answers with its own table.
//
// Everything stays on this site: a saved query runs at /api/queries/NAME with the form's values
// as parameters (never pasted into the query text), the editor's text at /sparql. Completion
// uses the project's own prefixes, classes and properties, sent with the page: YASGUI's prefix
// list (a copy of prefix.cc) and its class and property completers (which ask
// lov.linkeddata.es) are never switched on, and the page's CSP (connect-src 'self') would stop
// them anyway.
(function () {
  "use strict";
  var configEl = document.getElementById("query-config");
  var area = document.getElementById("query-text");
  if (!configEl || !area || typeof Yasqe === "undefined" || typeof Yasr === "undefined") {
    return;
  }
  var config = JSON.parse(configEl.textContent);
  var editorForm = document.getElementById("editor");
  var paramsForm = document.getElementById("params");
  var section = document.getElementById("result");
  var heading = document.getElementById("result-heading");
  var downloads = document.getElementById("downloads");
  var errorBox = document.getElementById("query-error");
  var yasrEl = document.getElementById("yasr");
  var savedSelect = document.getElementById("saved");

  // -- the editor

  var prefixLines = Object.keys(config.prefixes).sort().map(function (name) {
    return name + ": <" + config.prefixes[name] + ">";
  });
  Yasqe.forkAutocompleter("prefixes", { name: "local-prefixes", get: prefixLines,
                                        persistenceId: null }, false);
  Yasqe.forkAutocompleter("class", { name: "local-classes", bulk: true, get: config.classes },
                          false);
  Yasqe.forkAutocompleter("property", { name: "local-properties", bulk: true,
                                        get: config.properties }, false);
  var completers = ["variables", "local-prefixes", "local-classes", "local-properties"];
  Yasqe.defaults.autocompleters = completers.slice();

  function submitEditor() { editorForm.requestSubmit(); }
  var holder = document.createElement("div");
  holder.className = "yasqe-holder";
  area.parentNode.insertBefore(holder, area);
  area.hidden = true;  // stays in the form: it is what the form sends without JavaScript
  var yasqe = new Yasqe(holder, {
    value: area.value,
    persistenceId: null,  // the page's query, not the last one kept in localStorage
    consumeShareLink: null,
    createShareableLink: null,
    autocompleters: completers,
    showQueryButton: false,  // the form's own "Run query" button runs it
    resizeable: true,
    editorHeight: "22em",
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    extraKeys: { "Ctrl-Enter": submitEditor, "Cmd-Enter": submitEditor,
                 "Tab": false, "Shift-Tab": false }  // Tab leaves the editor (keyboard users)
  });
  yasqe.getInputField().setAttribute("aria-label", "SPARQL query");
  holder.setAttribute("data-ready", "true");

  // -- the results

  Yasr.plugins.table.defaults.openIriInNewWindow = false;
  Yasr.plugins.table.defaults.tableConfig.pageLength = config.pageSize;
  var yasr = new Yasr(yasrEl, {
    persistenceId: null,
    prefixes: config.prefixes,
    pluginOrder: ["table", "response"],
    defaultPlugin: "table"
  });

  // The project's IRIs link to their pages here; Yasr's own download (a CSV made in the
  // browser) and its link to the YASGUI manual elsewhere go: the API's downloads are above.
  function localise() {
    yasrEl.querySelectorAll("a[href]").forEach(function (link) {
      var href = link.getAttribute("href");
      if (href.indexOf(config.idBase) === 0 && href.length > config.idBase.length) {
        link.setAttribute("href", "/id/" + href.slice(config.idBase.length));
        link.removeAttribute("target");
      }
    });
    yasrEl.querySelectorAll(".yasr_external_ref_btn, .yasr_downloadIcon").forEach(
      function (el) { el.remove(); });
  }
  new MutationObserver(localise).observe(yasrEl, { childList: true, subtree: true });

  // -- errors, marked in the editor

  var marked = null;
  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    if (marked !== null) {
      yasqe.removeLineClass(marked, "background", "query-error-line");
      yasqe.setGutterMarker(marked, "gutterErrorBar", null);
      marked = null;
    }
  }
  yasqe.on("change", function () { if (marked !== null) { clearError(); } });

  function showError(message, inEditor) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    var line = inEditor && /\bline (\d+)/.exec(message);
    if (line) {
      var index = Math.min(parseInt(line[1], 10), yasqe.lineCount()) - 1;
      var dot = document.createElement("span");
      dot.className = "query-error-marker";
      dot.textContent = "●";
      dot.title = message;
      yasqe.addLineClass(index, "background", "query-error-line");
      yasqe.setGutterMarker(index, "gutterErrorBar", dot);
      marked = index;
    }
  }

  // -- running

  function setDownloads(links) {
    downloads.textContent = "Download: ";
    links.forEach(function (item, i) {
      if (i > 0) { downloads.appendChild(document.createTextNode(" · ")); }
      var a = document.createElement("a");
      a.href = item.href;
      a.setAttribute("download", "");
      a.textContent = item.label;
      downloads.appendChild(a);
    });
    downloads.hidden = links.length === 0;
  }

  function describe(contentType, text) {
    if (contentType.indexOf("json") < 0) { return "Result"; }
    var json = JSON.parse(text);
    if (typeof json.boolean === "boolean") { return "Result: " + (json.boolean ? "yes" : "no"); }
    var rows = json.results.bindings.length;
    return "Result: " + rows + " row" + (rows === 1 ? "" : "s");
  }

  function run(url, options, pageUrl, links, inEditor) {
    clearError();
    section.hidden = false;
    section.setAttribute("aria-busy", "true");
    var started = Date.now();
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        section.removeAttribute("aria-busy");
        history.replaceState(null, "", pageUrl);
        if (!response.ok) {
          var message = text.trim();
          try { message = JSON.parse(text).error || message; } catch (e) { /* plain text */ }
          heading.textContent = "Result";
          setDownloads([]);
          yasrEl.hidden = true;
          showError(message, inEditor);
          return;
        }
        var contentType = response.headers.get("content-type") || "";
        section.querySelectorAll(".server-result, .note").forEach(function (el) {
          el.hidden = true;
        });
        heading.textContent = describe(contentType, text);
        var truncated = response.headers.get("x-hrgraph-truncated") === "true";
        setDownloads(links);
        yasrEl.hidden = false;
        yasr.setResponse({ data: text, contentType: contentType, status: response.status,
                           executionTime: Date.now() - started });
        if (contentType.indexOf("json") < 0 && yasr.results) {
          var triples = yasr.results.getStatements().length;
          heading.textContent = "Result: " + triples + " triple" + (triples === 1 ? "" : "s");
        }
        if (truncated) { heading.textContent += " (cut at the server's row limit)"; }
        section.setAttribute("data-shown", "yasr");
      });
    }).catch(function (error) {
      section.removeAttribute("aria-busy");
      showError("The query could not be sent: " + error.message, false);
    });
  }

  function runEditor() {
    var text = yasqe.getValue();
    area.value = text;
    var type = (yasqe.getQueryType() || "").toUpperCase();
    var graph = type === "CONSTRUCT" || type === "DESCRIBE";
    var page = new URLSearchParams({ query: text });
    if (paramsForm) { page.set("saved", paramsForm.getAttribute("data-query")); }
    var formats = graph ? [["Turtle", "ttl"], ["JSON-LD", "jsonld"], ["N-Triples", "nt"]]
      : [["CSV", "csv"], ["JSON (SPARQL results)", "json"]];
    var links = formats.map(function (f) {
      return { label: f[0], href: config.endpoint + "?" +
               new URLSearchParams({ query: text, format: f[1] }).toString() };
    });
    return run(config.endpoint, {
      method: "POST",
      headers: { "Accept": graph ? "text/turtle" : "application/sparql-results+json",
                 "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: text }).toString()
    }, config.page + "?" + page.toString(), links, true);
  }

  function runSaved() {
    var name = paramsForm.getAttribute("data-query");
    var values = new URLSearchParams();
    paramsForm.querySelectorAll("input[name], select[name], textarea[name]").forEach(
      function (field) {
        if (field.name === "saved" || field.name === "run") { return; }
        var given = field.tagName === "TEXTAREA" ? field.value.split(/\r?\n/) : [field.value];
        given.forEach(function (value) {
          value = value.trim();
          if (value) { values.append(field.name, value); }  // empty: the default applies
        });
      });
    var query = values.toString();
    var suffix = query ? "?" + query : "";
    var page = new URLSearchParams({ saved: name, run: "1" });
    values.forEach(function (value, key) { page.append(key, value); });
    return run(config.api + name + suffix,
               { headers: { "Accept": "application/sparql-results+json" } },
               config.page + "?" + page.toString(),
               [{ label: "CSV", href: config.api + name + ".csv" + suffix },
                { label: "JSON (SPARQL results)", href: config.api + name + ".json" + suffix }],
               false);
  }

  editorForm.addEventListener("submit", function (event) {
    event.preventDefault();
    runEditor();
  });
  if (paramsForm) {
    paramsForm.addEventListener("submit", function (event) {
      event.preventDefault();
      runSaved();
    });
  }
  if (savedSelect) {
    // Another saved query: the page comes back with its text and its parameter form.
    savedSelect.addEventListener("change", function () { savedSelect.form.submit(); });
  }

  // A page that arrived with a result (a link, a reload) shows it in Yasr too.
  var asked = new URLSearchParams(window.location.search);
  if (asked.has("query")) {
    runEditor();
  } else if (asked.get("run") && paramsForm) {
    runSaved();
  }
}());
