// The jobs page: ListJobs with its filters and paging, kept current by the WatchJobs stream.
//
// The watch is opened before the list is read and its events are held until the list is
// drawn, so no change between the two is lost. Then each event updates its row in place; on
// the first page a new job matching the filters is inserted at the top. No polling.

import {api, worlds} from '../api.js';
import {badge, errorBox, h, route, shortId, when} from '../dom.js';
import {follow} from '../sse.js';

const KINDS = ['', 'manifest_generation', 'trajectory_generation'];
const STATUSES = ['', 'queued', 'running', 'completed', 'failed', 'cancelled'];
const SIZES = ['20', '50', '100'];

function select(name, values, current, label) {
  return h('label', null, label + ' ',
    h('select', {name, id: `filter-${name}`},
      values.map((v) => h('option', {value: v, selected: v === current}, v || 'any'))));
}

export function produced(job) {
  if (!job.resource_id && !(job.result && Array.isArray(job.result.trajectory_ids))) return '—';
  if (job.resource_type === 'manifest') return h('a', {href: route('worlds', job.resource_id)}, 'world ' + shortId(job.resource_id));
  if (job.resource_type === 'trajectory' && job.resource_id) {
    return h('a', {href: route('trajectories', job.resource_id)}, 'trajectory ' + shortId(job.resource_id));
  }
  const ids = (job.result && job.result.trajectory_ids) || [];
  return h('a', {href: route('trajectories', {job: job.id})}, `${ids.length} trajectories`);
}

function progress(job) {
  const value = typeof job.progress === 'number' ? job.progress : job.status === 'completed' ? 1 : 0;
  return h('progress', {max: '1', value: String(value), title: `${Math.round(value * 100)}%`});
}

function row(job) {
  return h('tr', {'data-job': job.id, class: `job status-${job.status}`},
    h('td', null, h('a', {href: route('jobs', job.id), class: 'mono'}, shortId(job.id))),
    h('td', null, job.kind === 'manifest_generation' ? 'world' : 'trajectories'),
    h('td', {class: 'status'}, badge(job.status)),
    h('td', null, progress(job)),
    h('td', null, when(job.created_at)),
    h('td', null, when(job.started_at)),
    h('td', null, when(job.completed_at)),
    h('td', null, produced(job)),
    h('td', {class: 'error-cell'}, job.error || ''));
}

export async function render(root, {query}) {
  const filters = {
    kind: query.get('kind') || '',
    status: query.get('status') || '',
    page: Math.max(1, Number(query.get('page')) || 1),
    page_size: SIZES.includes(query.get('page_size')) ? query.get('page_size') : '20',
  };
  const form = h('form', {class: 'filters', id: 'job-filters'},
    select('kind', KINDS, filters.kind, 'Kind'),
    select('status', STATUSES, filters.status, 'Status'),
    select('page_size', SIZES, filters.page_size, 'Per page'));
  form.addEventListener('change', () => {
    const data = Object.fromEntries(new FormData(form));
    location.hash = route('jobs', {...data, page: 1});
  });
  const live = h('span', {class: 'live', id: 'live'}, 'connecting…');
  const tbody = h('tbody', {id: 'jobs-body'});
  const summary = h('span', {class: 'muted', id: 'jobs-total'});
  const pager = h('div', {class: 'pager'});
  root.append(
    h('div', {class: 'title-row'}, h('h1', null, 'Jobs'), live,
      h('a', {href: '#/new/world', class: 'button'}, 'New world'),
      h('a', {href: '#/new/trajectories', class: 'button secondary'}, 'Sample trajectories')),
    form,
    h('table', {class: 'grid', id: 'jobs'},
      h('thead', null, h('tr', null, ['Job', 'Kind', 'Status', 'Progress', 'Created', 'Started', 'Finished', 'Produced', 'Error']
        .map((t) => h('th', null, t)))),
      tbody),
    h('div', {class: 'title-row'}, summary, pager));

  const rows = new Map();
  let total = 0;
  let held = [];
  let newest = null;
  let ready = false;
  const size = Number(filters.page_size);

  const matches = (job) => (!filters.kind || job.kind === filters.kind) && (!filters.status || job.status === filters.status);
  const apply = (event) => {
    const job = event.job;
    if (!job) return;
    const existing = rows.get(job.id);
    if (existing) {
      if (!matches(job)) { existing.remove(); rows.delete(job.id); total -= 1; return; }
      const fresh = row(job);
      existing.replaceWith(fresh);
      rows.set(job.id, fresh);
    } else if (filters.page === 1 && matches(job) && (newest === null || Date.parse(job.created_at) >= newest)) {
      // A new job (newest first, so it belongs at the top of page one), or one that just
      // entered the filtered status and is at least as new as the page.
      const fresh = row(job);
      tbody.prepend(fresh);
      rows.set(job.id, fresh);
      newest = Date.parse(job.created_at);
      total += 1;
      while (tbody.children.length > size) {
        const last = tbody.lastElementChild;
        rows.delete(last.dataset.job);
        last.remove();
      }
    }
    summary.textContent = `${total} job${total === 1 ? '' : 's'}`;
  };

  const watchParams = {};
  if (filters.kind) watchParams.kind = filters.kind;
  const load = async () => {
    ready = false;
    const page = await api.get(worlds('jobs'), {kind: filters.kind, status: filters.status, page: filters.page, page_size: size});
    rows.clear();
    tbody.replaceChildren(...page.items.map((job) => {
      const tr = row(job);
      rows.set(job.id, tr);
      return tr;
    }));
    if (!page.items.length) tbody.append(h('tr', {class: 'empty'}, h('td', {colspan: '9'}, 'No jobs yet.')));
    newest = page.items.length ? Date.parse(page.items[0].created_at) : null;
    total = page.total ?? page.items.length;
    summary.textContent = `${total} job${total === 1 ? '' : 's'}`;
    const pages = Math.max(1, Math.ceil(total / size));
    pager.replaceChildren(
      filters.page > 1 ? h('a', {href: route('jobs', {...filters, page: filters.page - 1}), id: 'prev-page'}, '← newer') : '',
      h('span', null, ` page ${filters.page} of ${pages} `),
      filters.page < pages ? h('a', {href: route('jobs', {...filters, page: filters.page + 1}), id: 'next-page'}, 'older →') : '');
    ready = true;
    for (const event of held) apply(event);
    held = [];
    performance.mark('jobs-rendered');
  };

  const watch = follow(worlds('jobs:watch'), watchParams, {
    onEvent: (event) => {
      const empty = tbody.querySelector('tr.empty');
      if (empty && event.job) empty.remove();
      if (ready) apply(event); else held.push(event);
    },
    onReset: () => { load().catch(() => {}); },
    onState: (state) => { live.textContent = state === 'live' ? '● live' : state; live.dataset.state = state; },
  });
  try {
    await load();
  } catch (err) {
    root.append(errorBox(err));
  }
  return () => watch.close();
}
