// DOM building without markup strings: every text goes in as a Text node (textContent), so a
// world-derived string (a world's name is user input) is never parsed as HTML. No innerHTML,
// no style attributes (the CSP forbids them): looks come from classes in style.css.

/** h('a', {href, class, onclick}, 'text', child, [more]) -> Element */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (key === 'style') throw new Error('style attributes are refused by the CSP; use a class');
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A hash link inside the console. Parts are encoded, so an id cannot change the route. */
export function link(text, ...parts) {
  return h('a', {href: route(...parts)}, text);
}

export function route(...parts) {
  const query = parts.length && typeof parts[parts.length - 1] === 'object' ? parts.pop() : null;
  let href = '#/' + parts.map((p) => encodeURIComponent(String(p))).join('/');
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
    const s = q.toString();
    if (s) href += '?' + s;
  }
  return href;
}

// One formatter for every timestamp: toLocaleString() would build one per call.
const TIME = new Intl.DateTimeFormat(undefined, {dateStyle: 'short', timeStyle: 'medium'});

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : TIME.format(d);
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

export function badge(status) {
  return h('span', {class: `badge status-${String(status).replace(/[^a-z_]/g, '')}`, 'data-status': status}, status);
}

/** A definition list from [label, value] pairs; values may be nodes or text. */
export function facts(pairs) {
  const dl = h('dl', {class: 'facts'});
  for (const [label, value] of pairs) {
    dl.append(h('dt', null, label), h('dd', null, value === null || value === undefined || value === '' ? '—' : value));
  }
  return dl;
}

export function pre(value, cls) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return h('pre', {class: cls || 'block'}, text ?? '');
}

export function errorBox(err) {
  return h('div', {class: 'error', role: 'alert'}, err && err.message ? err.message : String(err));
}

let toastTimer = 0;
export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
}
