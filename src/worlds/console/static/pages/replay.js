// A trajectory's replay: the numbered step list (failures marked) beside the selected step's
// detail, ←/→ (or ↑/↓, j/k) to move, and a small graph of the trajectory's path with the
// step's nodes and edge highlighted. One request: …/trajectories/{id}/replay.

import {api, enc, worlds} from '../api.js';
import {errorBox, facts, h, pre, route} from '../dom.js';

function stepNodes(step) {
  const t = step.targets || {};
  return [t.source, t.target, t.node].filter(Boolean).map(String);
}

export async function render(root, {id}) {
  const [record, replay] = await Promise.all([
    api.get(worlds(`trajectories/${enc(id)}`)),
    api.get(worlds(`trajectories/${enc(id)}/replay`)),
  ]);
  const steps = replay.steps || [];
  const names = replay.node_names || {};
  const label = (nodeId) => (names[nodeId] && names[nodeId].name) || nodeId;

  const list = h('ol', {class: 'steps', id: 'steps', start: '0'});
  const detail = h('section', {class: 'step-detail', id: 'step-detail'});
  const graphBox = h('div', {class: 'graph path-graph', id: 'path-graph'});
  root.append(
    h('div', {class: 'title-row'}, h('h1', null, 'Replay: ', h('span', {id: 'trajectory-name'}, record.name || id.slice(0, 8))),
      h('a', {href: route('worlds', record.manifest_id)}, '← world')),
    facts([['Goal', replay.goal || record.goal], ['Strategy', record.strategy], ['Mode', record.mode],
      ['Steps', steps.length], ['Outcome', record.success ? 'goal reached' : (record.termination_reason || 'failed')]]),
    h('p', {class: 'muted'}, 'Keys: ← / → (or ↑ / ↓, j / k) for the previous or next step.'),
    h('div', {class: 'replay'}, list, detail, graphBox));

  const items = steps.map((step, index) => {
    const item = h('li', {class: step.failed ? 'step failed' : 'step', 'data-index': String(index), tabindex: '-1'},
      h('span', {class: 'step-no'}, String(index + 1)), ' ',
      step.failed ? h('span', {class: 'fail-mark', title: 'failed'}, '✗ ') : '',
      step.title || step.command_name || `step ${index + 1}`);
    item.addEventListener('click', () => select(index));
    return item;
  });
  list.append(...items);

  // The path graph: every node a step touches, every edge a step traverses.
  let cy = null;
  try {
    const {createGraph} = await import('../graphview.js');
    const nodes = new Map();
    const edges = new Map();
    for (const step of steps) {
      for (const nodeId of stepNodes(step)) nodes.set(nodeId, {data: {id: nodeId, label: label(nodeId), node_type: (names[nodeId] || {}).node_type || 'node'}});
      const t = step.targets || {};
      if (t.source && t.target) {
        const edgeId = String(t.edge_id || `${t.source}->${t.target}`);
        edges.set(edgeId, {data: {id: `e:${edgeId}`, source: String(t.source), target: String(t.target), edge_type: (step.details && step.details.edge_type) || step.command_name || 'edge'}});
      }
    }
    cy = createGraph(graphBox, [...nodes.values(), ...edges.values()], {name: 'cose', animate: false, nodeDimensionsIncludeLabels: true});
    graphBox.cy = cy; // for devtools and the browser tests
  } catch (err) {
    graphBox.replaceWith(errorBox(err));
  }

  let current = -1;
  function select(index) {
    if (!steps.length) return;
    current = Math.max(0, Math.min(steps.length - 1, index));
    const step = steps[current];
    for (const item of items) item.classList.remove('selected');
    items[current].classList.add('selected');
    items[current].scrollIntoView({block: 'nearest'});
    const technique = step.technique ? `${step.technique.technique_id || ''} ${step.technique.name || ''}${step.technique.tactic ? ` (${step.technique.tactic})` : ''}` : '';
    detail.replaceChildren(
      h('h2', {id: 'step-title'}, `${current + 1}. ${step.title || step.command_name}`),
      step.failed ? h('p', {class: 'error', id: 'step-failed'}, `Failed: ${step.failure_reason || `exit ${step.exit_code}`}`) : '',
      facts([['Command', h('code', {id: 'step-command'}, step.command || '')], ['Technique', technique],
        ['Target', step.target_summary], ['Exit code', step.exit_code], ['Events', (step.events || []).join(', ')],
        ['Duration', step.duration_ms !== undefined ? `${step.duration_ms} ms` : '']]),
      h('h3', null, 'Output'), pre(step.stdout || '', 'block output'),
      step.stderr ? pre(step.stderr, 'block output stderr') : '',
      h('div', {class: 'states'},
        h('div', null, h('h3', null, 'State before'), pre(step.state_before ?? {})),
        h('div', null, h('h3', null, 'State after'), pre(step.state_after ?? {}))));
    if (cy) {
      cy.elements().removeClass('current');
      const t = step.targets || {};
      for (const nodeId of stepNodes(step)) cy.getElementById(nodeId).addClass('current');
      if (t.source && t.target) cy.getElementById(`e:${String(t.edge_id || `${t.source}->${t.target}`)}`).addClass('current');
    }
    detail.dataset.index = String(current);
  }

  const onKey = (event) => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    if (['ArrowRight', 'ArrowDown', 'j'].includes(event.key)) { event.preventDefault(); select(current + 1); }
    else if (['ArrowLeft', 'ArrowUp', 'k'].includes(event.key)) { event.preventDefault(); select(current - 1); }
  };
  document.addEventListener('keydown', onKey);
  if (steps.length) select(0); else detail.append(h('p', {class: 'muted'}, 'This trajectory has no steps.'));
  return () => { document.removeEventListener('keydown', onKey); if (cy) cy.destroy(); };
}
