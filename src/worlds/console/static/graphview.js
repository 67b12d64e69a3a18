// Cytoscape.js, set up once for every graph of the console. Elements are the API's own
// format ({data: {id, label, node_type | source, target, edge_type}}), so pages hand the
// routes' answers over unchanged. Colours are derived from the type names (a stable hash
// into a palette), so a new node or edge type of the generator needs no change here.

import cytoscape from '/ui/vendor/cytoscape.esm.min.mjs';

const PALETTE = ['#2b6cb0', '#c05621', '#2f855a', '#b83280', '#6b46c1', '#c53030', '#2c7a7b',
  '#975a16', '#4a5568', '#d69e2e', '#319795', '#805ad5', '#dd6b20', '#38a169', '#e53e3e'];

// The world's own node kinds get fixed, distinct colours; anything else a stable hash.
const NODE_COLOURS = {user: '#2b6cb0', group: '#2f855a', computer: '#c05621', host: '#c05621',
  domain: '#6b46c1', ou: '#b83280', gpo: '#975a16', aggregate: '#4a5568'};

export function nodeColour(type) {
  return NODE_COLOURS[type] || colour(type);
}

export function colour(name) {
  let hash = 0;
  for (const ch of String(name)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

const SHAPES = {user: 'ellipse', group: 'round-hexagon', computer: 'round-rectangle', host: 'round-rectangle',
  domain: 'star', ou: 'round-triangle', gpo: 'diamond', aggregate: 'round-octagon'};

/** An element of the API's format, with its colour and shape as data: plain data mappers keep
 *  Cytoscape's style cache working (function-valued styles are recomputed per element). */
export function element(item) {
  const data = {...item.data};
  if (data.source !== undefined && data.target !== undefined) {
    data.colour = colour(data.edge_type || 'edge');
    return {group: 'edges', data};
  }
  data.colour = nodeColour(data.node_type || 'node');
  data.shape = SHAPES[data.node_type] || 'ellipse';
  return {group: 'nodes', data};
}

// Past this many nodes the drawing gets cheaper: no labels but the centre's and the
// selection's, straight edges without arrows.
export const DENSE = 600;

export function style() {
  return [
    {selector: 'node', style: {
      'label': 'data(label)', 'font-size': 9, 'color': '#1a202c', 'text-valign': 'bottom', 'text-margin-y': 3,
      'background-color': 'data(colour)', 'shape': 'data(shape)', 'width': 18, 'height': 18,
      // Labels appear once zoomed in enough to read them; the centre and the selection always.
      'text-max-width': 120, 'text-wrap': 'ellipsis', 'min-zoomed-font-size': 9}},
    {selector: 'node[weight]', style: {'width': 'mapData(weight, 1, 5000, 18, 60)', 'height': 'mapData(weight, 1, 5000, 18, 60)'}},
    {selector: 'edge', style: {
      'width': 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.7,
      'line-color': 'data(colour)', 'target-arrow-color': 'data(colour)', 'opacity': 0.8}},
    {selector: 'node.dense', style: {'label': '', 'width': 10, 'height': 10}},
    {selector: 'edge.dense', style: {'curve-style': 'haystack', 'target-arrow-shape': 'none', 'width': 1}},
    {selector: 'edge[weight]', style: {'width': 'mapData(weight, 1, 1000, 1, 8)'}},
    {selector: '.hidden', style: {'display': 'none'}},
    {selector: '.center', style: {'border-width': 3, 'border-color': '#1a202c', 'min-zoomed-font-size': 0, 'font-weight': 'bold'}},
    {selector: ':selected', style: {'border-width': 3, 'border-color': '#d69e2e', 'line-color': '#d69e2e', 'min-zoomed-font-size': 0}},
    {selector: '.path', style: {'border-width': 4, 'border-color': '#e53e3e', 'line-color': '#e53e3e',
      'target-arrow-color': '#e53e3e', 'width': 4, 'opacity': 1, 'z-index': 10}},
    {selector: '.current', style: {'border-width': 4, 'border-color': '#d69e2e', 'line-color': '#d69e2e',
      'target-arrow-color': '#d69e2e', 'width': 5, 'opacity': 1, 'z-index': 20}},
    {selector: '.faded', style: {'opacity': 0.25}},
  ];
}

export function createGraph(container, elements, layout) {
  return cytoscape({
    container, elements: (elements || []).map(element), style: style(), wheelSensitivity: 0.3,
    layout: layout || {name: 'cose', animate: false, nodeDimensionsIncludeLabels: false},
    minZoom: 0.05, maxZoom: 4, boxSelectionEnabled: false,
    // Pan and zoom move a bitmap of the graph rather than redrawing every element.
    textureOnViewport: true, hideEdgesOnViewport: true,
  });
}

/** Mark every element dense (or not) by the graph's size; see DENSE. */
export function tune(cy) {
  const dense = cy.nodes().length > DENSE;
  cy.batch(() => { cy.elements().toggleClass('dense', dense); });
}

export function layoutFor(count) {
  // cose is good up to a few hundred nodes; past that a concentric layout keeps the draw
  // within the click budget.
  if (count > DENSE) return {name: 'concentric', animate: false, minNodeSpacing: 4,
    concentric: (n) => (n.hasClass('center') ? 10 : 10 - Math.min(9, n.data('hops') || 1)), levelWidth: () => 1};
  return {name: 'cose', animate: false, numIter: count > 200 ? 300 : 1000, nodeDimensionsIncludeLabels: false};
}

export {cytoscape};
