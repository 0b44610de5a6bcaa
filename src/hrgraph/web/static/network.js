// Draw each .network[data-source] (the /network page, the neighbours on an entity page) with
// Cytoscape.js. The server lays the nodes out (the "preset" layout), so the same data gives the
// same picture on every load; the page lists the same links without JavaScript.
(function () {
  "use strict";
  if (typeof cytoscape === "undefined") { return; }
  var colours = { organisation: "#0b4f9c", person: "#b3261e", group: "#7b4f9c",
                  document: "#1d5e2a", demand: "#b36b00" };
  var sizes = { document: 16, demand: 10 };

  function style(fontSize) {
    return [
      { selector: "node", style: {
          "background-color": function (n) { return colours[n.data("kind")] || "#555"; },
          "width": function (n) { return sizes[n.data("kind")] || 13; },
          "height": function (n) { return sizes[n.data("kind")] || 13; },
          "label": "data(text)", "font-size": fontSize, "line-height": 1.2,
          "font-family": "system-ui, sans-serif",
          "color": "#1a1a1a", "text-wrap": "wrap", "text-valign": "center",
          "text-background-color": "#ffffff", "text-background-opacity": 0.85,
          "text-background-padding": 1, "text-background-shape": "roundrectangle" } },
      { selector: "node[side = 'right']", style: {
          "text-halign": "right", "text-margin-x": 4, "text-justification": "left" } },
      { selector: "node[side = 'left']", style: {
          "text-halign": "left", "text-margin-x": -4, "text-justification": "right" } },
      { selector: "node[side = 'top']", style: {
          "text-halign": "center", "text-valign": "top", "text-margin-y": -2,
          "text-justification": "center", "font-weight": "bold" } },
      { selector: "node[column = 2]", style: { "text-wrap": "ellipsis", "text-max-width": 340 } },
      { selector: "node[column = 0]", style: { "text-max-width": 186 } },
      { selector: "node[column = 1]", style: { "text-max-width": 216 } },
      { selector: "node[column = 3]", style: { "text-max-width": 196 } },
      { selector: "edge", style: {
          "width": 1, "line-color": "#a8a8a8", "target-arrow-shape": "triangle",
          "target-arrow-color": "#a8a8a8", "arrow-scale": 0.6, "curve-style": "bezier",
          "opacity": 0.8 } },
      { selector: "edge[label = 'addresses']", style: { "line-style": "dashed" } },
      { selector: ".faded", style: { "opacity": 0.18 } },
      { selector: "node.focused", style: {
          "border-width": 3, "border-color": "#111", "font-weight": "bold" } },
      { selector: "edge.near", style: { "width": 2, "line-color": "#333",
                                        "target-arrow-color": "#333", "opacity": 1 } }
    ];
  }

  // Mark the nodes found and their links; fade the rest. Returns the nodes found.
  function focus(cy, ids) {
    cy.elements().removeClass("faded focused near");
    var found = cy.collection();
    ids.forEach(function (id) { found = found.union(cy.getElementById(id)); });
    if (found.empty()) { return found; }
    var near = found.closedNeighborhood();
    cy.elements().not(near).addClass("faded");
    found.addClass("focused");
    near.edges().addClass("near");
    return found;
  }

  function reveal(box, node) {
    var at = node.renderedPosition();
    var rect = box.getBoundingClientRect();
    window.scrollTo({ top: window.scrollY + rect.top + at.y - window.innerHeight / 2,
                      behavior: "auto" });
  }

  function draw(box, model) {
    var elements = [];
    model.nodes.forEach(function (n) {
      elements.push({ group: "nodes", position: { x: n.x, y: n.y },
                      data: { id: n.id, label: n.label, text: n.text, kind: n.kind,
                              href: n.href, side: n.side, column: n.column } });
    });
    model.edges.forEach(function (e, i) {
      elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target,
                                              label: e.label } });
    });
    box.hidden = false;  // hidden until drawn: without JavaScript the page shows no empty box
    box.style.height = Math.max(model.height, 120) + "px";
    var cy = cytoscape({
      container: box, elements: elements, style: style(model.font_size),
      layout: { name: "preset", fit: false }, zoom: 1, pan: { x: 0, y: 0 },
      minZoom: 0.3, maxZoom: 3, userZoomingEnabled: false, boxSelectionEnabled: false,
      autoungrabify: true
    });
    cy.on("tap", "node", function (event) {
      var href = event.target.data("href");
      if (href) { window.location.href = href; }
    });
    cy.on("mouseover", "node", function (event) { box.title = event.target.data("label"); });
    cy.on("mouseout", "node", function () { box.title = ""; });
    box.setAttribute("data-nodes", String(cy.nodes().length));
    return cy;
  }

  function tools(cy) {
    var bar = document.querySelector(".network-tools");
    if (!bar) { return; }
    bar.hidden = false;
    bar.addEventListener("click", function (event) {
      var how = event.target.getAttribute("data-zoom");
      if (how === "in" || how === "out") {
        var centre = { x: cy.width() / 2, y: cy.height() / 2 };
        cy.zoom({ level: cy.zoom() * (how === "in" ? 1.25 : 0.8), renderedPosition: centre });
      } else if (how === "reset") {
        cy.zoom(1);
        cy.pan({ x: 0, y: 0 });
      }
    });
  }

  // The find form focuses a node in place (without reloading) and keeps the address in step.
  function finder(box, cy) {
    var form = document.querySelector("form.find");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = form.elements.focus.value.trim().toLowerCase();
      var ids = [];
      if (text) {
        cy.nodes().forEach(function (n) {
          if (n.data("label").toLowerCase().indexOf(text) >= 0 ||
              n.id().toLowerCase() === text) { ids.push(n.id()); }
        });
      }
      var found = focus(cy, ids);
      box.setAttribute("data-found", String(found.length));
      var url = new URL(window.location.href);
      if (text) { url.searchParams.set("focus", form.elements.focus.value.trim()); }
      else { url.searchParams.delete("focus"); }
      window.history.replaceState(null, "", url.toString());
      var old = document.getElementById("found");
      if (old) { old.hidden = true; }  // the server's answer to the previous search
      if (found.nonempty()) { reveal(box, found[0]); }
    });
  }

  document.querySelectorAll(".network[data-source]").forEach(function (box) {
    fetch(box.getAttribute("data-source"), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (model) {
        var section = box.closest(".neighbours");
        if (section && model.edges.length === 0) { section.hidden = true; return; }
        var cy = draw(box, model);
        if (box.id === "network") {
          var list = document.querySelector("details.network-list");
          if (list) { list.open = false; }
          tools(cy);
          finder(box, cy);
          var found = focus(cy, model.focus.found);
          box.setAttribute("data-found", String(found.length));
          window.hrgraphNetwork = cy;
        } else {
          box.hrgraphNetwork = cy;
        }
      })
      .catch(function (error) {
        box.hidden = false;
        box.textContent = "The graph could not be drawn (" + error.message + "); " +
                          "the links are listed on this page.";
      });
  });
}());
