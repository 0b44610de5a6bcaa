// Draw /network.json with Cytoscape.js. The page lists the same links without JavaScript.
(function () {
  "use strict";
  var box = document.getElementById("network");
  if (!box || typeof cytoscape === "undefined") { return; }
  var colours = { organisation: "#0b4f9c", person: "#b3261e", group: "#7b4f9c",
                  document: "#1d5e2a", demand: "#b36b00" };
  fetch(box.getAttribute("data-source"), { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (model) {
      var elements = [];
      model.nodes.forEach(function (n) {
        elements.push({ group: "nodes", data: { id: n.id, label: n.label, kind: n.kind,
                                                href: n.href } });
      });
      model.edges.forEach(function (e, i) {
        elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target,
                                                label: e.label } });
      });
      var cy = cytoscape({
        container: box, elements: elements,
        style: [
          { selector: "node", style: {
              "background-color": function (n) { return colours[n.data("kind")] || "#555"; },
              "label": "data(label)", "font-size": 7, "text-wrap": "ellipsis",
              "text-max-width": 90, "width": 12, "height": 12, "color": "#1a1a1a" } },
          { selector: "node[kind = 'demand']", style: { "label": "", "width": 8, "height": 8 } },
          { selector: "edge", style: { "width": 1, "line-color": "#9a9a9a",
              "target-arrow-shape": "triangle", "target-arrow-color": "#9a9a9a",
              "arrow-scale": 0.5, "curve-style": "bezier" } }
        ],
        layout: { name: "cose", animate: false, nodeRepulsion: 8000, idealEdgeLength: 60 }
      });
      cy.on("tap", "node", function (event) {
        var href = event.target.data("href");
        if (href) { window.location.href = href; }
      });
      box.setAttribute("data-nodes", String(cy.nodes().length));
      window.hrgraphNetwork = cy;
    })
    .catch(function (error) {
      box.textContent = "The graph could not be drawn (" + error.message + "); see the list below.";
    });
}());
