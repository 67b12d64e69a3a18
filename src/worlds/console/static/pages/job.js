// One job: its fields, a live progress bar (the WatchJob stream), its error, a cancel button
// while it can be cancelled, and a link to what it produced.

import {api, enc, worlds} from '../api.js';
import {badge, errorBox, facts, h, pre, toast, when} from '../dom.js';
import {follow} from '../sse.js';
import {produced} from './jobs.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'partial']);

export async function render(root, {id}) {
  const body = h('div', {id: 'job-detail'});
  const errorSlot = h('div');
  root.append(h('div', {class: 'title-row'}, h('h1', null, 'Job'), h('a', {href: '#/jobs'}, '← all jobs')), errorSlot, body);

  const draw = (job) => {
    const pct = typeof job.progress === 'number' ? job.progress : job.status === 'completed' ? 1 : 0;
    const cancel = h('button', {type: 'button', id: 'cancel-job', class: 'danger',
      disabled: TERMINAL.has(job.status) || Boolean(job.cancel_requested_at)}, job.cancel_requested_at && !TERMINAL.has(job.status) ? 'Cancelling…' : 'Cancel');
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      try { draw(await api.post(worlds(`jobs/${enc(job.id)}/cancel`))); toast('Cancel requested'); } catch (err) {
        errorSlot.replaceChildren(errorBox(err));
        cancel.disabled = false;
      }
    });
    body.replaceChildren(
      h('div', {class: 'title-row'}, badge(job.status),
        h('progress', {id: 'job-progress', max: '1', value: String(pct)}),
        h('span', {id: 'job-percent'}, `${Math.round(pct * 100)}%`), cancel),
      facts([
        ['Id', h('span', {class: 'mono'}, job.id)],
        ['Kind', job.kind],
        ['Created', when(job.created_at)],
        ['Started', when(job.started_at)],
        ['Finished', when(job.completed_at)],
        ['Cancel requested', when(job.cancel_requested_at)],
        ['Created by', job.created_by_user ? (job.created_by_user.username || job.created_by_user.email) : job.created_by],
        ['Produced', produced(job)],
      ]),
      job.error ? h('div', {class: 'error', id: 'job-error', role: 'alert'}, job.error) : '',
      job.result && Object.keys(job.result).length ? h('details', null, h('summary', null, 'Result'), pre(job.result)) : '');
  };

  let watch = null;
  try {
    const job = await api.get(worlds(`jobs/${enc(id)}`));
    draw(job);
    if (!TERMINAL.has(job.status)) {
      watch = follow(worlds(`jobs/${enc(id)}/watch`), {}, {
        onEvent: (event) => { if (event.job) draw(event.job); },
        onReset: () => { api.get(worlds(`jobs/${enc(id)}`)).then(draw).catch(() => {}); },
      });
    }
  } catch (err) {
    errorSlot.replaceChildren(errorBox(err));
  }
  return () => { if (watch) watch.close(); };
}
