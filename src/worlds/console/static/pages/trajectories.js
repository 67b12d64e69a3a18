// The workspace's trajectories (or one job's batch, ?job=), newest first.

import {api, enc, worlds} from '../api.js';
import {errorBox, h, route} from '../dom.js';
import {trajectoryTable} from './world.js';

export async function render(root, {query}) {
  const page = Math.max(1, Number(query.get('page')) || 1);
  const jobId = query.get('job');
  root.append(h('div', {class: 'title-row'}, h('h1', null, jobId ? 'Trajectories of a job' : 'Trajectories'),
    h('a', {href: '#/new/trajectories', class: 'button'}, 'Sample trajectories')));
  try {
    let items;
    let total;
    if (jobId) {
      const job = await api.get(worlds(`jobs/${enc(jobId)}`));
      const ids = (job.result && job.result.trajectory_ids) || [];
      items = (await Promise.all(ids.slice(0, 100).map((tid) => api.get(worlds(`trajectories/${enc(tid)}`)).catch(() => null)))).filter(Boolean);
      total = items.length;
    } else {
      const data = await api.get(worlds('trajectories'), {page, page_size: 50});
      items = data.items;
      total = data.total || 0;
    }
    root.append(h('div', {id: 'trajectories'}, trajectoryTable(items)));
    const pages = Math.max(1, Math.ceil(total / 50));
    if (!jobId) {
      root.append(h('div', {class: 'pager'},
        page > 1 ? h('a', {href: route('trajectories', {page: page - 1})}, '← newer') : '',
        ` page ${page} of ${pages} `,
        page < pages ? h('a', {href: route('trajectories', {page: page + 1})}, 'older →') : ''));
    }
  } catch (err) {
    root.append(errorBox(err));
  }
}
