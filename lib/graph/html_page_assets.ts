/**
 * The inline stylesheet and script of the html export (GRAPH-006). Both are fixed texts: the page reads
 * the graph from its embedded `#haz-graph` JSON and the SVG drawn by `export_html.ts`. They must never
 * reference anything outside the page (no URLs, no network APIs, no dynamic imports).
 *
 * @module
 */

/**
 * The page's CSS: edge kinds solid / dashed / dotted, selected nodes filled, pulled-in nodes hollow
 * with a dashed border.
 *
 * @example
 * ```ts
 * `<style>${HTML_PAGE_STYLE}</style>`;
 * ```
 */
export const HTML_PAGE_STYLE = `
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; font: 13px system-ui, sans-serif; color: #18181b; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 18px; padding: 6px 10px;
  border-bottom: 1px solid #d4d4d8; background: #fafafa; }
header h1 { font-size: 14px; margin: 0; }
header input { font: inherit; padding: 2px 6px; width: 16em; }
header button { font: inherit; }
#legend { display: block; }
#stage { flex: 1; position: relative; overflow: hidden; }
#canvas { display: block; width: 100%; height: 100%; background: #fff; cursor: grab; touch-action: none; }
#canvas.panning { cursor: grabbing; }
#details { position: absolute; right: 8px; bottom: 8px; max-width: 45%; padding: 6px 9px;
  background: #ffffffee; border: 1px solid #d4d4d8; border-radius: 4px; white-space: pre-wrap;
  font: 12px ui-monospace, monospace; }
#details:empty { display: none; }
.group rect { fill: #f4f4f5; stroke: #d4d4d8; }
.group text { font: 11px system-ui, sans-serif; fill: #52525b; }
.node { cursor: pointer; }
.node rect { fill: #fff; stroke: #71717a; stroke-dasharray: 4 2; }
.node.selected rect { fill: #dbeafe; stroke: #1d4ed8; stroke-width: 1.5; stroke-dasharray: none; }
.node text { font: 12px ui-monospace, monospace; fill: #18181b; pointer-events: none; }
.edge .line { fill: none; stroke: #3f3f46; stroke-width: 1.2; }
.edge .head { fill: #3f3f46; stroke: none; }
.edge.soft .line { stroke-dasharray: 7 4; }
.edge.producer .line { stroke: #7c3aed; stroke-dasharray: 1.5 3; }
.edge.producer .head { fill: #fff; stroke: #7c3aed; stroke-width: 1; }
#canvas.focusing .node:not(.lit), #canvas.focusing .edge:not(.lit), #canvas.focusing .group { opacity: 0.15; }
.node.focus rect { stroke: #dc2626; stroke-width: 2.5; }
.node.before rect { stroke: #ea580c; stroke-width: 2; }
.node.after rect { stroke: #16a34a; stroke-width: 2; }
.edge.lit .line { stroke-width: 2.2; }
#canvas.filtering .node.miss { opacity: 0.12; }
#canvas.filtering .edge { opacity: 0.3; }
`;

/**
 * The page's script: hover details, click to highlight transitive hard predecessors and successors,
 * id filter, pan (drag) and zoom (wheel, buttons).
 *
 * @example
 * ```ts
 * `<script>${HTML_PAGE_SCRIPT}</script>`;
 * ```
 */
export const HTML_PAGE_SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("haz-graph").textContent);
  var canvas = document.getElementById("canvas");
  var scene = document.getElementById("scene");
  var details = document.getElementById("details");
  var filter = document.getElementById("filter");
  var matches = document.getElementById("matches");
  var nodeElements = Array.prototype.slice.call(scene.querySelectorAll("g.node"));
  var edgeElements = Array.prototype.slice.call(scene.querySelectorAll("g.edge"));
  var indexOf = new Map();
  data.nodes.forEach(function (node, index) { indexOf.set(node.id, index); });
  var hardPredecessors = data.nodes.map(function () { return []; });
  var hardSuccessors = data.nodes.map(function () { return []; });
  var edgeEnds = data.edges.map(function (edge) {
    var from = indexOf.get(edge.from);
    var to = indexOf.get(edge.to);
    if (edge.kind === "hard") { hardSuccessors[from].push(to); hardPredecessors[to].push(from); }
    return [from, to];
  });

  function describe(node) {
    var lines = [node.id + (node.selected ? "  (selected)" : "  (pulled in)")];
    if (node.description !== null) lines.push(node.description);
    lines.push("action: " + node.action + (node.cacheable ? ", cacheable" : ", not cacheable"));
    lines.push("project root: " + node.projectRoot);
    if (node.tags.length > 0) lines.push("tags: " + node.tags.join(", "));
    return lines.join("\\n");
  }

  function count(size, noun) {
    return size + " " + noun + (size === 1 ? "" : "s");
  }

  function reach(start, neighbours) {
    var seen = new Set([start]);
    var pending = [start];
    while (pending.length > 0) {
      neighbours[pending.pop()].forEach(function (next) {
        if (!seen.has(next)) { seen.add(next); pending.push(next); }
      });
    }
    seen.delete(start);
    return seen;
  }

  var focused = -1;
  function focus(index) {
    focused = index;
    var before = index < 0 ? new Set() : reach(index, hardPredecessors);
    var after = index < 0 ? new Set() : reach(index, hardSuccessors);
    canvas.classList.toggle("focusing", index >= 0);
    nodeElements.forEach(function (element, position) {
      element.classList.toggle("focus", position === index);
      element.classList.toggle("before", before.has(position));
      element.classList.toggle("after", after.has(position));
      element.classList.toggle("lit", position === index || before.has(position) || after.has(position));
    });
    edgeElements.forEach(function (element, position) {
      var ends = edgeEnds[position];
      var onPath = data.edges[position].kind === "hard" &&
        ((ends[1] === index || before.has(ends[1])) && (ends[0] === index || before.has(ends[0])) ||
          (ends[0] === index || after.has(ends[0])) && (ends[1] === index || after.has(ends[1])));
      element.classList.toggle("lit", onPath);
    });
    details.textContent = index < 0 ? "" : describe(data.nodes[index]) + "\\n" +
      count(before.size, "hard predecessor") + ", " + count(after.size, "hard successor");
  }

  nodeElements.forEach(function (element, index) {
    element.addEventListener("mouseenter", function () {
      if (focused < 0) details.textContent = describe(data.nodes[index]);
    });
    element.addEventListener("mouseleave", function () {
      if (focused < 0) details.textContent = "";
    });
  });

  function applyFilter() {
    var text = filter.value.trim();
    var count = 0;
    var first = -1;
    nodeElements.forEach(function (element, index) {
      var hit = text !== "" && data.nodes[index].id.indexOf(text) >= 0;
      element.classList.toggle("miss", text !== "" && !hit);
      if (hit) { count++; if (first < 0) first = index; }
    });
    canvas.classList.toggle("filtering", text !== "");
    matches.textContent = text === "" ? "" : count + " of " + data.nodes.length;
    return first;
  }
  filter.addEventListener("input", applyFilter);
  filter.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    var first = applyFilter();
    if (first >= 0) centerOn(nodeElements[first]);
  });

  var view = { x: 0, y: 0, scale: 1 };
  function render() {
    scene.setAttribute("transform", "translate(" + view.x + " " + view.y + ") scale(" + view.scale + ")");
  }
  function zoomAt(px, py, factor) {
    var scale = Math.min(4, Math.max(0.02, view.scale * factor));
    view.x = px - (px - view.x) * (scale / view.scale);
    view.y = py - (py - view.y) * (scale / view.scale);
    view.scale = scale;
    render();
  }
  function fit() {
    var box = canvas.getBoundingClientRect();
    var width = Number(canvas.getAttribute("data-width"));
    var height = Number(canvas.getAttribute("data-height"));
    view.scale = Math.max(0.02, Math.min(2, box.width / width, Math.max(box.height / height, 0.3)));
    view.x = Math.max(0, (box.width - width * view.scale) / 2);
    view.y = Math.max(0, (box.height - height * view.scale) / 2);
    render();
  }
  function centerOn(element) {
    var box = canvas.getBoundingClientRect();
    var rect = element.querySelector("rect");
    var parts = element.getAttribute("transform").match(/-?[0-9.]+/g).map(Number);
    var cx = parts[0] + Number(rect.getAttribute("width")) / 2;
    var cy = parts[1] + Number(rect.getAttribute("height")) / 2;
    view.scale = Math.max(view.scale, 0.8);
    view.x = box.width / 2 - cx * view.scale;
    view.y = box.height / 2 - cy * view.scale;
    render();
  }

  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    var box = canvas.getBoundingClientRect();
    zoomAt(event.clientX - box.left, event.clientY - box.top, Math.exp(-event.deltaY * 0.0015));
  }, { passive: false });

  var drag = null;
  canvas.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, viewX: view.x, viewY: view.y, moved: false };
  });
  canvas.addEventListener("pointermove", function (event) {
    if (drag === null) return;
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    if (!drag.moved) { drag.moved = true; canvas.setPointerCapture(event.pointerId); canvas.classList.add("panning"); }
    view.x = drag.viewX + dx;
    view.y = drag.viewY + dy;
    render();
  });
  canvas.addEventListener("pointerup", function (event) {
    if (drag === null) return;
    var wasDrag = drag.moved;
    drag = null;
    canvas.classList.remove("panning");
    if (wasDrag) return;
    var target = event.target.closest ? event.target.closest("g.node") : null;
    var index = target === null ? -1 : nodeElements.indexOf(target);
    focus(index === focused ? -1 : index);
  });

  document.getElementById("zoom-in").addEventListener("click", function () {
    var box = canvas.getBoundingClientRect();
    zoomAt(box.width / 2, box.height / 2, 1.25);
  });
  document.getElementById("zoom-out").addEventListener("click", function () {
    var box = canvas.getBoundingClientRect();
    zoomAt(box.width / 2, box.height / 2, 0.8);
  });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { filter.value = ""; applyFilter(); focus(-1); }
  });
  fit();
})();
`;
