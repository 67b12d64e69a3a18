// A world: its record and stats, the aggregated overview drawn as a graph, the command
// catalog, and its trajectories. Only bounded reads: the overview is capped server-side.

import {api, enc, worlds} from '../api.js';
import {errorBox, facts, h, route, when} from '../dom.js';

export async function render(root, {id}) {
  const base = `manifests/${enc(id)}`;
  const manifest = await api.get(worlds(base));
  const stats = manifest.stats || {};
  const paths = attackPaths(manifest);
  root.append(
    h('div', {class: 'title-row'},
      h('h1', {id: 'world-name'}, manifest.name || 'Unnamed world'),
      h('a', {href: route('worlds', id, 'graph'), class: 'button', id: 'explore'}, 'Explore the graph'),
      h('a', {href: route('new', 'trajectories', {manifest: id}), class: 'button secondary'}, 'Sample trajectories')),
    facts([
      ['Id', h('span', {class: 'mono'}, manifest.id)],
      ['Preset', manifest.preset || 'custom'], ['Seed', manifest.seed],
      ['Hosts', stats.total_hosts], ['Principals', stats.total_principals], ['Edges', stats.total_edges],
      ['Domains', (stats.domains || []).join(', ')],
      ['Planted attack paths', paths.length],
      ['Created', when(manifest.created_at)],
      ['Job', h('a', {href: route('jobs', manifest.source_job_id)}, 'source job')],
    ]));
  const extra = Object.entries(stats).filter(([k, v]) => !['total_hosts', 'total_principals', 'total_edges', 'domains', 'network_id', 'attack_paths'].includes(k) && (typeof v !== 'object' || v === null));
  if (extra.length) root.append(h('details', null, h('summary', null, 'More stats'), facts(extra)));

  const overview = h('div', {class: 'graph small-graph', id: 'overview-graph'});
  root.append(h('h2', null, 'Overview'), h('p', {class: 'muted', id: 'overview-note'}, 'Similar entities grouped; edge width is the number of edges each stands for.'), overview);
  const catalog = h('div', {id: 'commands'});
  root.append(h('h2', null, 'Command catalog'), catalog);
  const trajectories = h('div', {id: 'world-trajectories'});
  root.append(h('h2', null, 'Trajectories'), trajectories);

  let cy = null;
  const [overviewResult, commandsResult, trajResult] = await Promise.allSettled([
    api.get(worlds(`${base}/graph/overview`)),
    api.get(worlds(`${base}/commands`)),
    api.get(worlds(`${base}/trajectories`), {page_size: 20}),
  ]);
  if (overviewResult.status === 'fulfilled') {
    try {
      const {createGraph} = await import('../graphview.js');
      const data = overviewResult.value;
      const elements = [...data.nodes, ...data.edges].map((el) => withWeight(el));
      cy = createGraph(overview, elements, {name: 'cose', animate: false});
      overview.cy = cy; // for devtools and the browser tests
    } catch (err) {
      overview.replaceWith(errorBox(err)); // e.g. the graph library is not installed
    }
  } else overview.replaceWith(errorBox(overviewResult.reason));
  if (commandsResult.status === 'fulfilled') {
    catalog.append(h('table', {class: 'grid'},
      h('thead', null, h('tr', null, ['Command', 'Usage', 'Example', 'Events'].map((t) => h('th', null, t)))),
      h('tbody', null, commandsResult.value.items.map((c) => h('tr', null,
        h('td', {class: 'mono'}, c.name), h('td', null, c.usage || c.description || ''),
        h('td', {class: 'mono'}, (c.examples || [])[0] || c.pattern || ''),
        h('td', null, (c.events || []).join(', ')))))));
  } else catalog.append(errorBox(commandsResult.reason));
  if (trajResult.status === 'fulfilled') {
    trajectories.append(trajectoryTable(trajResult.value.items));
  } else trajectories.append(errorBox(trajResult.reason));
  return () => { if (cy) cy.destroy(); };
}

function withWeight(element) {
  const data = {...element.data};
  const props = data.properties || {};
  const weight = data.count ?? data.weight ?? props.count ?? props.member_count ?? props.members;
  if (typeof weight === 'number') data.weight = weight;
  return {data};
}

/** The manifest's planted attack paths: lists of node ids, wherever the record carries them. */
export function attackPaths(manifest) {
  const raw = manifest.attack_paths || (manifest.stats && manifest.stats.attack_paths) || [];
  if (!Array.isArray(raw)) return [];
  return raw.map((p) => (Array.isArray(p) ? p : p && Array.isArray(p.nodes) ? p.nodes : p && Array.isArray(p.node_ids) ? p.node_ids : []))
    .filter((p) => p.length > 1).map((p) => p.map(String));
}

export function trajectoryTable(items) {
  if (!items.length) return h('p', {class: 'muted'}, 'None yet.');
  return h('table', {class: 'grid'},
    h('thead', null, h('tr', null, ['Trajectory', 'Goal', 'Strategy', 'Steps', 'Outcome', 'Created'].map((t) => h('th', null, t)))),
    h('tbody', null, items.map((t) => h('tr', {'data-trajectory': t.id},
      h('td', null, h('a', {href: route('trajectories', t.id), class: 'mono'}, t.name || t.id.slice(0, 8))),
      h('td', null, t.goal), h('td', null, t.strategy), h('td', null, t.step_count),
      h('td', null, t.success ? 'goal reached' : (t.termination_reason || 'failed')),
      h('td', null, when(t.created_at))))));
}
