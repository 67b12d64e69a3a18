// The form to create a world: CreateManifestJob. On success the jobs page shows it live.

import {api, worlds} from '../api.js';
import {errorBox, h} from '../dom.js';
import {choice, field, number, showFieldErrors, text, values} from '../forms.js';

export async function render(root) {
  const errorSlot = h('div');
  const form = h('form', {class: 'card form', id: 'new-world'},
    field('Name', text('name', {maxlength: '255', placeholder: 'optional'})),
    field('Preset', choice('preset', ['small', 'medium', 'large', 'enterprise'], 'small')),
    field('Seed', number('seed', {step: '1', placeholder: 'chosen by the server'})),
    field('Users', number('num_users', {min: '1', max: '50000', step: '1', placeholder: 'from the preset'})),
    field('Hosts', number('num_hosts', {min: '1', max: '10000', step: '1', placeholder: 'from the preset'})),
    field('Domains', text('domains', {placeholder: 'corp.local, dev.corp.local'}), 'comma-separated; empty for the default'),
    h('button', {type: 'submit', id: 'create-world'}, 'Create world'),
    errorSlot);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorSlot.replaceChildren();
    const body = values(form, ['seed', 'num_users', 'num_hosts']);
    if (body.domains) body.domains = body.domains.split(',').map((d) => d.trim()).filter(Boolean);
    try {
      await api.post(worlds('manifests'), body);
      location.hash = '#/jobs';
    } catch (err) {
      showFieldErrors(form, err);
      errorSlot.replaceChildren(errorBox(err));
    }
  });
  root.append(h('h1', null, 'New world'), form);
}
