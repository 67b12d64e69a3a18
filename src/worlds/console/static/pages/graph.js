// The graph explorer. It never loads a whole world: it starts from a principal search (or a
// node id in ?center=), draws that node's neighbourhood (graph/subgraph), and grows by one
// hop around each node clicked. Filters hide node and edge types; the side panel shows the
// clicked host's or principal's details; planted attack paths can be highlighted.

import {api, ApiError, enc, worlds} from '../api.js';
import {errorBox, facts, h, route} from '../dom.js';
import {colour, createGraph, element, layoutFor, nodeColour, tune} from '../graphview.js';
import {attackPaths} from './world.js';

const HOST_TYPES = new Set(['computer', 'host']);

export async function render(root, {id, query}) {
  const base = `manifests/${enc(id)}`;
  const manifest = await api.get(worlds(base));
  const searchInput = h('input', {type: 'search', id: 'principal-search', placeholder: 'sam, upn, e-mail, name…', 'aria-label': 'Search principals'});
  const typeSelect = h('select', {id: 'principal-type', 'aria-label': 'Principal type'},
    ['', 'user', 'group', 'computer'].map((t) => h('option', {value: t}, t || 'any type')));
  const depthSelect = h('select', {id: 'depth', 'aria-label': 'Depth'}, ['1', '2', '3'].map((d) => h('option', {value: d, selected: d === '1'}, `${d} hop${d === '1' ? '' : 's'}`)));
  const results = h('ul', {class: 'results', id: 'search-results'});
  const nodeFilters = h('div', {class: 'checks', id: 'node-filters'});
  const edgeFilters = h('div', {class: 'checks', id: 'edge-filters'});
  const pathList = h('div', {id: 'attack-paths'});
  const status = h('p', {class: 'muted', id: 'graph-status'}, 'Search a principal to start.');
  const panel = h('aside', {class: 'panel', id: 'details'}, h('p', {class: 'muted'}, 'Click a node to see its details and open its neighbourhood.'));
  const canvas = h('div', {class: 'graph', id: 'graph'});
  const searchForm = h('form', {class: 'search', id: 'search-form'}, searchInput, typeSelect, h('button', {type: 'submit'}, 'Search'));

  root.classList.add('explorer-page');
  root.append(
    h('div', {class: 'title-row'}, h('h1', null, 'Graph: ', h('span', {id: 'graph-world-name'}, manifest.name || manifest.id.slice(0, 8))),
      h('a', {href: route('worlds', id)}, '← world')),
    h('div', {class: 'explorer'},
      h('section', {class: 'sidebar'}, searchForm, results, h('label', null, 'Expand by ', depthSelect),
        h('h3', null, 'Node types'), nodeFilters, h('h3', null, 'Edge types'), edgeFilters,
        h('h3', null, 'Planted attack paths'), pathList),
      h('section', {class: 'canvas'}, status, canvas),
      panel));

  const cy = createGraph(canvas, []);
  canvas.cy = cy; // for the browser's devtools (and the browser tests, which click real nodes)
  const hiddenNodeTypes = new Set();
  const hiddenEdgeTypes = new Set();
  const expanded = new Set();

  const applyFilters = () => {
    cy.batch(() => {
      cy.nodes().forEach((n) => { n.toggleClass('hidden', hiddenNodeTypes.has(n.data('node_type'))); });
      cy.edges().forEach((e) => { e.toggleClass('hidden', hiddenEdgeTypes.has(e.data('edge_type'))); });
    });
  };
  const refreshFilters = () => {
    const build = (slot, values, hidden, paint) => {
      slot.replaceChildren(...[...values].sort().map((value) => {
        const box = h('input', {type: 'checkbox', checked: !hidden.has(value), 'data-type': value});
        box.addEventListener('change', () => { if (box.checked) hidden.delete(value); else hidden.add(value); applyFilters(); });
        const swatch = h('span', {class: 'swatch'});
        swatch.style.backgroundColor = paint(value); // CSSOM, allowed by the CSP (unlike a style attribute)
        return h('label', {class: 'check'}, box, swatch, value);
      }));
    };
    build(nodeFilters, new Set(cy.nodes().map((n) => n.data('node_type'))), hiddenNodeTypes, nodeColour);
    build(edgeFilters, new Set(cy.edges().map((e) => e.data('edge_type'))), hiddenEdgeTypes, colour);
  };

  /** Add a subgraph's elements that are not drawn yet; resolves once laid out and painted. */
  const merge = (data, centerId) => new Promise((resolve) => {
    const fresh = [];
    for (const n of data.nodes) if (cy.getElementById(n.data.id).empty()) fresh.push(element(n));
    for (const e of data.edges) if (cy.getElementById(e.data.id).empty()) fresh.push(element(e));
    cy.batch(() => {
      cy.add(fresh);
      cy.nodes().removeClass('center');
      cy.getElementById(centerId).addClass('center');
    });
    tune(cy);
    applyFilters();
    refreshFilters();
    const layout = cy.layout(layoutFor(cy.nodes().length));
    layout.one('layoutstop', () => {
      cy.fit(undefined, 30);
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(fresh.length)));
    });
    layout.run();
  });

  let loads = 0;
  const openNeighbourhood = async (nodeId, depth) => {
    performance.mark('subgraph-click');
    status.textContent = 'Loading neighbourhood…';
    try {
      const data = await api.get(worlds(`${base}/graph/subgraph`), {center: nodeId, depth});
      expanded.add(nodeId);
      const added = await merge(data, nodeId);
      performance.measure('subgraph-drawn', 'subgraph-click');
      loads += 1;
      canvas.dataset.loads = String(loads);
      status.textContent = `${cy.nodes().length} nodes, ${cy.edges().length} edges drawn (${added} new)` +
        (data.truncated ? ' — neighbourhood truncated by the server' : '');
    } catch (err) {
      status.textContent = err.message;
    }
  };

  const showDetails = async (node) => {
    const nodeId = node.id();
    const type = node.data('node_type');
    panel.replaceChildren(h('h2', null, node.data('label') || nodeId), h('p', {class: 'muted'}, type), h('p', {class: 'muted'}, 'Loading…'));
    const tryHost = HOST_TYPES.has(type);
    const first = tryHost ? `hosts/${enc(nodeId)}/details` : `principals/${enc(nodeId)}/details`;
    const second = tryHost ? `principals/${enc(nodeId)}/details` : `hosts/${enc(nodeId)}/details`;
    let details = null;
    let kind = tryHost ? 'host' : 'principal';
    try {
      details = await api.get(worlds(`${base}/${first}`));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) { panel.replaceChildren(errorBox(err)); return; }
      try { details = await api.get(worlds(`${base}/${second}`)); kind = tryHost ? 'principal' : 'host'; } catch {
        panel.replaceChildren(h('h2', null, node.data('label') || nodeId), h('p', {class: 'muted'}, `${type} (no host or principal record)`),
          facts(Object.entries(node.data('properties') || {}).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])));
        return;
      }
    }
    panel.replaceChildren(...(kind === 'host' ? hostPanel(details, openNode) : principalPanel(details, openNode)));
  };

  cy.on('tap', 'node', async (event) => {
    const node = event.target;
    cy.elements().unselect();
    node.select();
    showDetails(node);
    if (!expanded.has(node.id())) await openNeighbourhood(node.id(), depthSelect.value);
  });

  // The panel's edge lists link to the other end: the keyboard's way through the graph.
  const openNode = async (nodeId) => {
    if (!expanded.has(nodeId)) await openNeighbourhood(nodeId, depthSelect.value);
    const node = cy.getElementById(nodeId);
    if (node.nonempty()) { cy.elements().unselect(); node.select(); showDetails(node); }
  };
  const labelOf = (nodeId) => {
    const node = cy.getElementById(nodeId);
    return node.nonempty() ? node.data('label') : nodeId;
  };
  const typeOf = (nodeId) => {
    const node = cy.getElementById(nodeId);
    return node.nonempty() ? node.data('node_type') : '';
  };
  edgeContext.label = labelOf;
  edgeContext.type = typeOf;

  const search = async () => {
    results.replaceChildren(h('li', {class: 'muted'}, 'Searching…'));
    try {
      const page = await api.get(worlds(`${base}/principals/search`), {query: searchInput.value, principal_type: typeSelect.value, page_size: 20});
      results.replaceChildren(...page.items.map((p) => {
        const item = h('li', null, h('button', {type: 'button', class: 'link', 'data-principal': p.principal_id},
          `${p.sam}`, h('small', {class: 'muted'}, ` ${p.principal_type} · ${p.domain || ''}`)));
        item.querySelector('button').addEventListener('click', async () => {
          await openNeighbourhood(p.principal_id, depthSelect.value);
          const node = cy.getElementById(p.principal_id);
          if (node.nonempty()) { cy.elements().unselect(); node.select(); showDetails(node); }
        });
        return item;
      }));
      if (!page.items.length) results.append(h('li', {class: 'muted'}, 'No principal matches.'));
      else if (page.total > page.items.length) results.append(h('li', {class: 'muted'}, `${page.items.length} of ${page.total}`));
    } catch (err) {
      results.replaceChildren(h('li', null, errorBox(err)));
    }
  };
  searchForm.addEventListener('submit', (event) => { event.preventDefault(); search(); });

  const paths = attackPaths(manifest);
  if (!paths.length) pathList.append(h('p', {class: 'muted'}, 'This world records none.'));
  paths.forEach((path, index) => {
    const button = h('button', {type: 'button', class: 'secondary', 'data-path': String(index)}, `Path ${index + 1} (${path.length} nodes)`);
    button.addEventListener('click', async () => {
      for (const nodeId of path) if (cy.getElementById(nodeId).empty()) {
        const data = await api.get(worlds(`${base}/graph/subgraph`), {center: nodeId, depth: 1});
        await merge(data, path[0]);
      }
      cy.elements().removeClass('path');
      for (let i = 0; i < path.length; i += 1) {
        cy.getElementById(path[i]).addClass('path');
        if (i + 1 < path.length) cy.edges().filter((e) => e.data('source') === path[i] && e.data('target') === path[i + 1]).addClass('path');
      }
      cy.fit(cy.elements('.path'), 60);
    });
    pathList.append(button);
  });

  const center = query.get('center');
  if (center) await openNeighbourhood(center, depthSelect.value);
  return () => cy.destroy();
}

const edgeContext = {label: (id) => id, type: () => ''};

function edgeList(title, edges, self, open) {
  if (!edges || !edges.length) return [];
  return [h('h3', null, `${title} (${edges.length})`), h('ul', {class: 'edges'}, edges.slice(0, 200).map((e) => {
    const other = e.source === self ? e.target : e.source;
    const button = h('button', {type: 'button', class: 'link', 'data-node': other, 'data-node-type': edgeContext.type(other)},
      edgeContext.label(other));
    button.addEventListener('click', () => open(other));
    return h('li', null, h('span', {class: 'edge-type'}, e.edge_type), e.source === self ? ' → ' : ' ← ', button);
  }))];
}

function hostPanel(d, open) {
  return [
    h('h2', {id: 'detail-title'}, d.hostname), h('p', {class: 'muted'}, 'host'),
    facts([['FQDN', d.fqdn], ['IP', d.ip], ['OS', `${d.os_family} ${d.os_version}`], ['Role', d.role],
      ['Domain', d.domain], ['Subnet', d.subnet], ['Site', d.site], ['Exposure', d.exposure_profile]]),
    h('h3', null, `Services (${(d.services || []).length})`),
    h('ul', {class: 'services'}, (d.services || []).map((s) => h('li', null, `${s.port}/${s.proto} ${s.name}`, s.product ? ` — ${s.product} ${s.version || ''}` : ''))),
    ...((d.artifacts || []).length ? [h('h3', null, `Artifacts (${d.artifacts.length})`),
      h('ul', null, d.artifacts.map((a) => h('li', null, `${a.artifact_type || ''} ${a.path || ''}`)))] : []),
    ...edgeList('Inbound edges', d.inbound_edges, d.host_id, open),
    ...edgeList('Outbound edges', d.outbound_edges, d.host_id, open),
  ];
}

function principalPanel(d, open) {
  return [
    h('h2', {id: 'detail-title'}, d.sam), h('p', {class: 'muted'}, d.principal_type),
    facts([['UPN', d.upn], ['DN', d.dn], ['SID', d.sid], ['Domain', d.domain], ['E-mail', d.email],
      ['Department', d.department], ['Title', d.title], ['Enabled', String(d.enabled)],
      ['Groups', (d.membership_ids || []).length]]),
    ...((d.credentials || []).length ? [h('h3', null, `Credentials (${d.credentials.length})`),
      h('ul', null, d.credentials.map((c) => h('li', null, `${c.kind || c.type || ''} ${c.cred_id || ''}`)))] : []),
    ...edgeList('Inbound edges', d.inbound_edges, d.principal_id, open),
    ...edgeList('Outbound edges', d.outbound_edges, d.principal_id, open),
  ];
}
