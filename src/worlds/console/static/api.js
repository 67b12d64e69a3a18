// The console's only way to the service: the REST API, through /ui/api/... on this origin.
// The console's server adds the API key from the HttpOnly session cookie; this module never
// sees the key. Non-GET requests repeat the session's CSRF token in X-CSRF-Token: the
// worlds_csrf cookie (double-submit; readable here by design, like every double-submit token).

let onSignedOut = () => {};

/** The session's CSRF token, or null when signed out: its cookie is set with the key's. */
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'worlds_csrf' && rest.join('=')) return rest.join('=');
  }
  return null;
}
export function onUnauthenticated(handler) { onSignedOut = handler; }

/** An API error: the envelope's `detail`, the HTTP status, the field errors. */
export class ApiError extends Error {
  constructor(status, envelope) {
    const detail = envelope && typeof envelope.detail === 'string' ? envelope.detail : `HTTP ${status}`;
    const fields = envelope && Array.isArray(envelope.errors) ? envelope.errors : [];
    const extra = fields.map((e) => `${(e.loc || []).slice(1).join('.')}: ${e.msg}`).join('; ');
    super(extra ? `${detail} (${extra})` : detail);
    this.status = status;
    this.envelope = envelope;
    this.fields = fields;
  }
}

export function apiUrl(path, params) {
  const url = new URL('/ui/api' + path, location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== '' && value !== null && value !== undefined) url.searchParams.set(key, value);
  }
  return url;
}

async function request(method, path, {params, body} = {}) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken() || '';
  const response = await fetch(apiUrl(path, params), {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401) onSignedOut(error);
    throw error;
  }
  return data;
}

export const api = {
  get: (path, params) => request('GET', path, {params}),
  post: (path, body) => request('POST', path, {body: body ?? {}}),
};

// The current organization and workspace (slugs). Kept in localStorage: not a secret.
export const scope = {
  org: localStorage.getItem('worlds.org') || 'local',
  ws: localStorage.getItem('worlds.ws') || 'main',
  set(org, ws) {
    this.org = org; this.ws = ws;
    localStorage.setItem('worlds.org', org);
    localStorage.setItem('worlds.ws', ws);
  },
};

/** /v1/org/{org}/ws/{ws}/worlds/<rest>, with the current scope. */
export function worlds(rest) {
  return `/v1/org/${encodeURIComponent(scope.org)}/ws/${encodeURIComponent(scope.ws)}/worlds/${rest}`;
}

export function enc(value) { return encodeURIComponent(String(value)); }

// Sign-in state, kept by the console's server (see worlds/console/session.py).
async function session(method, body) {
  const headers = {Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method === 'DELETE') headers['X-CSRF-Token'] = csrfToken() || '';
  const response = await fetch('/ui/session', {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const sessions = {
  current: () => session('GET'),
  signIn: (apiKey) => session('POST', {api_key: apiKey}),
  signOut: () => session('DELETE'),
};
