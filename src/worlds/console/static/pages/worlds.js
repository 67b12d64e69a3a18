// The workspace's worlds (ListManifests), newest first, with paging.

import {api, worlds} from '../api.js';
import {errorBox, h, route, shortId, when} from '../dom.js';

export async function render(root, {query}) {
  const page = Math.max(1, Number(query.get('page')) || 1);
  root.append(h('div', {class: 'title-row'}, h('h1', null, 'Worlds'), h('a', {href: '#/new/world', class: 'button'}, 'New world')));
  try {
    const data = await api.get(worlds('manifests'), {page, page_size: 50});
    const stats = (m) => (m.stats ? `${m.stats.total_hosts} hosts · ${m.stats.total_principals} principals · ${m.stats.total_edges} edges` : '—');
    root.append(h('table', {class: 'grid', id: 'worlds'},
      h('thead', null, h('tr', null, ['World', 'Name', 'Preset', 'Seed', 'Size', 'Created'].map((t) => h('th', null, t)))),
      h('tbody', null, data.items.map((m) => h('tr', {'data-manifest': m.id},
        h('td', null, h('a', {href: route('worlds', m.id), class: 'mono'}, shortId(m.id))),
        h('td', {class: 'name'}, m.name || ''),
        h('td', null, m.preset || 'custom'), h('td', null, m.seed ?? '—'), h('td', null, stats(m)),
        h('td', null, when(m.created_at)))))));
    const pages = Math.max(1, Math.ceil((data.total || 0) / 50));
    root.append(h('div', {class: 'pager'},
      page > 1 ? h('a', {href: route('worlds', {page: page - 1})}, '← newer') : '',
      ` page ${page} of ${pages} `,
      page < pages ? h('a', {href: route('worlds', {page: page + 1})}, 'older →') : ''));
  } catch (err) {
    root.append(errorBox(err));
  }
}
