// Organizations and workspaces this key can see, and switching between them.

import {api, enc, scope} from '../api.js';
import {h} from '../dom.js';
import {knownOrgs, loadScope, rememberOrgs} from '../app.js';

export async function render(root) {
  const {orgs} = await loadScope();
  const input = h('input', {type: 'text', id: 'add-org', placeholder: 'organization slug', pattern: '[a-z0-9-]+'});
  const note = h('p', {class: 'muted', id: 'add-org-note'});
  const form = h('form', {class: 'search'}, input, h('button', {type: 'submit'}, 'Add organization'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.get(`/v1/org/${enc(input.value)}`);
      rememberOrgs([...knownOrgs(), input.value]);
      location.reload();
    } catch (err) {
      note.textContent = `Not visible to this key: ${err.message}`;
    }
  });
  root.append(h('h1', null, 'Organizations and workspaces'),
    h('p', {class: 'muted'}, 'The ones this API key can see. Choose a workspace to work in.'));
  for (const org of orgs) {
    let workspaces = [];
    try {
      const page = await api.get(`/v1/org/${enc(org.key)}/ws`, {page_size: 100});
      workspaces = Array.isArray(page) ? page : page.workspaces || [];
    } catch { workspaces = []; }
    root.append(h('section', {class: 'card', 'data-org': org.key},
      h('h2', null, org.name || org.key, h('small', {class: 'muted'}, ` ${org.key}`)),
      h('ul', null, workspaces.map((w) => {
        const current = org.key === scope.org && w.key === scope.ws;
        const button = h('button', {type: 'button', class: current ? 'secondary' : '', disabled: current, 'data-ws': w.key},
          current ? 'current' : 'switch');
        button.addEventListener('click', async () => {
          scope.set(org.key, w.key);
          await loadScope();
          location.hash = '#/jobs';
        });
        return h('li', null, `${w.name || w.key} (${w.key})${w.is_default ? ' · default' : ''} `, button);
      }))));
  }
  root.append(h('h2', null, 'Another organization'), form, note);
}
