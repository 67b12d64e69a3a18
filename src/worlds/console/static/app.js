// The console's entry point: sign-in, the organization/workspace switcher, and a hash router
// that renders one page module at a time into <main id="view">. Pages are loaded on demand,
// so the jobs page never waits for the graph library.

import {api, ApiError, csrfToken, enc, onUnauthenticated, scope, sessions} from './api.js';
import {errorBox, h} from './dom.js';

const view = document.getElementById('view');
const top = document.getElementById('top');
let cleanup = null;
let signedIn = false;

const ROUTES = [
  [/^jobs$/, 'jobs', () => ({})],
  [/^jobs\/([^/]+)$/, 'job', (m) => ({id: m[1]})],
  [/^new\/world$/, 'new-world', () => ({})],
  [/^new\/trajectories$/, 'new-trajectories', () => ({})],
  [/^worlds$/, 'worlds', () => ({})],
  [/^worlds\/([^/]+)$/, 'world', (m) => ({id: m[1]})],
  [/^worlds\/([^/]+)\/graph$/, 'graph', (m) => ({id: m[1]})],
  [/^trajectories$/, 'trajectories', () => ({})],
  [/^trajectories\/([^/]+)$/, 'replay', (m) => ({id: m[1]})],
  [/^scope$/, 'scope', () => ({})],
];

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?', 2);
  return {path: path || 'jobs', query: new URLSearchParams(query || '')};
}

// Renders overlap (a hash change while a page still loads): only the newest may install
// its page; an older one that finishes later discards what it built.
let generation = 0;

async function render() {
  const mine = ++generation;
  if (cleanup) { try { cleanup(); } catch { /* a page's cleanup must not block the next */ } cleanup = null; }
  if (!signedIn) { renderSignIn(); return; }
  const {path, query} = parseHash();
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', path.startsWith(a.dataset.nav));
  for (const [pattern, name, params] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const args = params(match);
    for (const key of Object.keys(args)) args[key] = decodeURIComponent(args[key]);
    view.replaceChildren(h('p', {class: 'muted'}, 'Loading…'));
    try {
      const page = await import(`./pages/${name}.js`);
      if (mine !== generation) return;
      performance.mark(`page-loaded:${name}`);
      const next = h('div', {class: 'page', 'data-page': name});
      view.replaceChildren(next);
      const done = (await page.render(next, {...args, query})) || null;
      if (mine !== generation) { if (done) { try { done(); } catch { /* stale page */ } } return; }
      cleanup = done;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      if (mine === generation) view.replaceChildren(errorBox(err));
    }
    return;
  }
  view.replaceChildren(h('p', null, 'No such page. ', h('a', {href: '#/jobs'}, 'Jobs')));
}

function renderSignIn(message) {
  top.hidden = true;
  const input = h('input', {type: 'password', id: 'api-key', name: 'api_key', autocomplete: 'off',
    required: true, placeholder: 'wk_…', 'aria-label': 'API key'});
  const status = h('p', {id: 'sign-in-error', class: 'error', role: 'alert', hidden: !message}, message || '');
  const form = h('form', {class: 'card sign-in', id: 'sign-in'},
    h('h1', null, 'Sign in to worlds'),
    h('p', {class: 'muted'}, 'Paste an API key. It is kept in an HttpOnly cookie of this console only, never in a URL or the page.'),
    h('label', null, 'API key ', input),
    h('button', {type: 'submit'}, 'Sign in'),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.hidden = true;
    try {
      await sessions.signIn(input.value);
      input.value = '';
      await enter();
    } catch (err) {
      status.textContent = err instanceof ApiError && err.status === 401
        ? `That key was not accepted: ${err.message}` : err.message;
      status.hidden = false;
    }
  });
  view.replaceChildren(form);
  input.focus();
}

async function loadWho() {
  const who = document.getElementById('who');
  try {
    const user = await api.get('/v1/user');
    who.textContent = user.username || user.email_address || '';
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    who.textContent = '';
    return true;
  }
}

// Organizations: the API has no list of them, so the console remembers the slugs used here
// (localStorage) and keeps those the key can read (GET /v1/org/{org} answers 404 otherwise).
export function knownOrgs() {
  let list = [];
  try { list = JSON.parse(localStorage.getItem('worlds.orgs') || '[]'); } catch { list = []; }
  if (!Array.isArray(list)) list = [];
  return [...new Set(['local', scope.org, ...list.filter((x) => typeof x === 'string')])];
}

export function rememberOrgs(list) {
  localStorage.setItem('worlds.orgs', JSON.stringify([...new Set(list)]));
}

export async function loadScope() {
  const orgSelect = document.getElementById('scope-org');
  const wsSelect = document.getElementById('scope-ws');
  const visible = [];
  await Promise.all(knownOrgs().map(async (slug) => {
    try { visible.push(await api.get(`/v1/org/${enc(slug)}`)); } catch { /* not visible to this key */ }
  }));
  visible.sort((a, b) => String(a.key).localeCompare(String(b.key)));
  orgSelect.replaceChildren(...visible.map((o) => h('option', {value: o.key}, o.name || o.key)));
  if (!visible.some((o) => o.key === scope.org) && visible.length) scope.set(visible[0].key, scope.ws);
  orgSelect.value = scope.org;
  let workspaces = [];
  try {
    const page = await api.get(`/v1/org/${enc(scope.org)}/ws`, {page_size: 100});
    workspaces = Array.isArray(page) ? page : page.workspaces || [];
  } catch { workspaces = []; }
  wsSelect.replaceChildren(...workspaces.map((w) => h('option', {value: w.key}, w.name || w.key)));
  if (workspaces.length && !workspaces.some((w) => w.key === scope.ws)) {
    const chosen = workspaces.find((w) => w.is_default) || workspaces[0];
    scope.set(scope.org, chosen.key);
  }
  if (!workspaces.length) wsSelect.append(h('option', {value: scope.ws}, scope.ws));
  wsSelect.value = scope.ws;
  return {orgs: visible, workspaces};
}

async function enter() {
  signedIn = true;
  top.hidden = false;
  // The page renders with the scope remembered here while the user and the scope are checked,
  // all at once: the first page does not wait for one request after another.
  const before = `${scope.org}/${scope.ws}`;
  const [who] = await Promise.all([loadWho(), loadScope().catch(() => null), render()]);
  if (!who) { signedIn = false; renderSignIn(); return; }
  if (`${scope.org}/${scope.ws}` !== before) await render();
}

onUnauthenticated(() => {
  if (!signedIn) return;
  signedIn = false;
  renderSignIn('Your session ended (the key was revoked or the sign-in expired). Sign in again.');
});

document.getElementById('sign-out').addEventListener('click', async () => {
  try { await sessions.signOut(); } catch { /* the cookies are gone either way below */ }
  signedIn = false;
  if (cleanup) { cleanup(); cleanup = null; }
  document.getElementById('who').textContent = '';
  history.replaceState(null, '', '#/jobs');
  renderSignIn();
});

document.getElementById('scope-org').addEventListener('change', async (event) => {
  scope.set(event.target.value, '');
  await loadScope();
  await render();
});
document.getElementById('scope-ws').addEventListener('change', async (event) => {
  scope.set(scope.org, event.target.value);
  if (location.hash === '#/jobs') await render(); else location.hash = '#/jobs';
});

window.addEventListener('hashchange', render);

// Signed in when the session's cookies are there (the token's is readable, the key's is not):
// no request stands between the page and its first render. A key that stopped working is
// answered 401 by the API, which brings the sign-in form back.
if (csrfToken()) enter(); else renderSignIn();
