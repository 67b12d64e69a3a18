// Small helpers for the create forms: typed fields, and the API's field errors shown beside
// the fields they name (the envelope's `errors[].loc` is ["body", field, …]).

import {h} from './dom.js';

export function field(label, input, hint) {
  return h('label', {class: 'field'}, h('span', null, label), input,
    hint ? h('small', {class: 'muted'}, hint) : '', h('small', {class: 'field-error', 'data-error-for': input.name}));
}

export function choice(name, values, current) {
  return h('select', {name, id: `f-${name}`}, values.map((v) => h('option', {value: v, selected: v === current}, v || '—')));
}

export function number(name, attrs) {
  return h('input', {type: 'number', name, id: `f-${name}`, ...attrs});
}

export function text(name, attrs) {
  return h('input', {type: 'text', name, id: `f-${name}`, ...attrs});
}

/** Show an ApiError's field errors on the form; returns whether any field matched. */
export function showFieldErrors(form, err) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  let matched = false;
  for (const fieldError of (err && err.fields) || []) {
    const name = (fieldError.loc || [])[1];
    const slot = form.querySelector(`[data-error-for="${CSS.escape(String(name))}"]`);
    if (slot) { slot.textContent = fieldError.msg; matched = true; }
  }
  return matched;
}

/** The form's values without empty strings; numbers as numbers. */
export function values(form, numeric) {
  const out = {};
  for (const [key, value] of new FormData(form)) {
    if (value === '') continue;
    out[key] = numeric.includes(key) ? Number(value) : value;
  }
  return out;
}
