// The form to sample trajectories in a completed world (POST …/worlds/trajectories).

import {api, worlds} from '../api.js';
import {errorBox, h} from '../dom.js';
import {choice, field, number, showFieldErrors, text, values} from '../forms.js';

export async function render(root, {query}) {
  const errorSlot = h('div');
  const manifests = h('select', {name: 'manifest_id', id: 'f-manifest_id', required: true});
  const form = h('form', {class: 'card form', id: 'new-trajectories'},
    field('World', manifests),
    field('Name', text('name', {maxlength: '255', placeholder: 'optional'})),
    field('Goal', text('goal', {value: 'Domain Admins'}), 'Domain Admins[@domain], a group, host:NAME, principal:SAM, dcsync[:domain]'),
    field('Count', number('count', {min: '1', max: '100', step: '1', value: '1'})),
    field('Strategy', choice('strategy', ['random', 'greedy', 'recon-first', 'smart-random'], 'random')),
    field('Mode', choice('mode', ['kali', 'c2'], 'kali')),
    field('Max steps', number('max_steps', {min: '1', max: '1000', step: '1', value: '100'})),
    field('Seed', number('seed', {step: '1', value: '42'})),
    h('button', {type: 'submit', id: 'sample'}, 'Sample'),
    errorSlot);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorSlot.replaceChildren();
    try {
      const job = await api.post(worlds('trajectories'), values(form, ['count', 'max_steps', 'seed']));
      location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
    } catch (err) {
      showFieldErrors(form, err);
      errorSlot.replaceChildren(errorBox(err));
    }
  });
  // The form appears once its world list is filled, so what is shown can be submitted.
  try {
    const page = await api.get(worlds('manifests'), {page_size: 100});
    manifests.replaceChildren(...page.items.map((m) =>
      h('option', {value: m.id, selected: m.id === query.get('manifest')}, `${m.name || 'unnamed'} (${m.id.slice(0, 8)}, ${m.preset || 'custom'})`)));
    if (!page.items.length) errorSlot.replaceChildren(h('p', {class: 'muted'}, 'No world yet: create one first.'));
  } catch (err) {
    errorSlot.replaceChildren(errorBox(err));
  }
  root.append(h('h1', null, 'Sample trajectories'), form);
}
