// The demo single-page app: sign in with Gatehouse, then list content
// models and manage folders through the demo assets API. Plain ES modules,
// no build step; the SDK comes from the issuer (/sdk/gatehouse.js).
const $ = (id) => document.getElementById(id);

const state = { client: null, cfg: null, modelsCursor: '' };

main().catch((err) => {
  showProblem(err);
  setStatus('');
});

async function main() {
  const res = await fetch('/config.json');
  state.cfg = await res.json();
  const { cfg } = state;
  $('issuer').textContent = cfg.issuer;
  $('api').textContent = cfg.api;

  const { createClient } = await import(`${cfg.issuer}/sdk/gatehouse.js`);
  state.client = await createClient({
    issuer: cfg.issuer,
    clientId: cfg.client_id,
    redirectUri: cfg.redirect_uri,
    postLogoutRedirectUri: cfg.post_logout_redirect_uri,
    scope: cfg.scope,
    storage: 'session', // survives reloads of this tab, gone when it closes
  });
  wireEvents();

  if (location.pathname === '/callback') {
    setStatus('Signing you in…');
    try {
      await state.client.handleRedirectCallback();
    } catch (err) {
      showProblem(err); // e.g. access_denied when consent was refused
    } finally {
      // The code and state are spent either way: leave the callback URL.
      history.replaceState(null, '', '/');
    }
  }

  let user = null;
  if (state.client.isAuthenticated()) {
    try {
      user = await state.client.getUser();
    } catch (err) {
      showProblem(err); // the tokens no longer work: sign in again
    }
  }
  setStatus('');
  if (!user) {
    $('signed-out').hidden = false;
    return;
  }
  $('user-name').textContent = user.name || user.email || user.sub;
  $('user-email').textContent = user.name && user.email ? user.email : '';
  $('who').hidden = false;
  $('signed-in').hidden = false;
  await loadModels(true);
}

function wireEvents() {
  $('sign-in').addEventListener('click', () => run(() => state.client.login()));
  $('sign-out').addEventListener('click', () => run(() => state.client.logout()));
  $('problem-close').addEventListener('click', () => { $('problem').hidden = true; });
  $('tab-models').addEventListener('click', () => selectTab('models'));
  $('tab-folders').addEventListener('click', () => selectTab('folders'));
  for (const tab of document.querySelectorAll('[role=tab]')) {
    tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      const next = tab.id === 'tab-models' ? 'folders' : 'models';
      selectTab(next);
      $(`tab-${next}`).focus();
    });
  }
  $('full-projection').addEventListener('change', () => run(() => loadModels(true)));
  $('models-more').addEventListener('click', () => run(() => loadModels(false)));
  $('folder-form').addEventListener('submit', (e) => {
    e.preventDefault();
    run(createFolder);
  });
  // Two requests the API must refuse, to show its answers: a plain fetch
  // without the SDK carries no token (401), and a key naming another app
  // does not match the token's client_id (403).
  $('try-no-token').addEventListener('click', () => run(async () => {
    const res = await fetch(`${state.cfg.api}/models`, { headers: { 'x-api-key': state.cfg.client_id } });
    if (!res.ok) throw await problemFromResponse(res);
    setStatus(`The API answered ${res.status} to a request without a token.`);
  }));
  $('try-wrong-key').addEventListener('click', () => run(async () => {
    await api('/models', { headers: { 'x-api-key': 'another-app' } });
    setStatus('The API accepted another app\'s key.');
  }));
}

function selectTab(name) {
  for (const t of ['models', 'folders']) {
    const on = t === name;
    $(`tab-${t}`).setAttribute('aria-selected', String(on));
    $(`tab-${t}`).tabIndex = on ? 0 : -1;
    $(`panel-${t}`).hidden = !on;
  }
  run(name === 'models' ? () => loadModels(true) : loadFolders);
}

// run performs one user action: it clears the last problem, shows a new
// one if the action fails, and never leaves a rejected promise behind.
async function run(action) {
  $('problem').hidden = true;
  try {
    await action();
  } catch (err) {
    showProblem(err);
  }
}

function setStatus(text) { $('status').textContent = text; }

// api calls the assets API with the access token (the SDK adds the
// Authorization header) and the x-api-key header the API also wants: this
// app's client ID. Errors become ApiProblem, with what the API said.
async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (!headers.has('x-api-key')) headers.set('x-api-key', state.cfg.client_id);
  let res;
  try {
    res = await state.client.fetch(`${state.cfg.api}${path}`, { ...init, headers });
  } catch (err) {
    throw problemFromError(err);
  }
  if (res.ok) return res.status === 204 ? null : res.json();
  throw await problemFromResponse(res);
}

class ApiProblem extends Error {
  constructor(status, code, description) {
    super(description || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.description = description;
  }
}

const STATUS_TEXT = { 400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict' };

// problemFromResponse reads the API's JSON error body, or else the
// WWW-Authenticate challenge of RFC 6750 §3.
async function problemFromResponse(res) {
  let code = '';
  let description = '';
  try {
    const body = await res.json();
    code = body.error ?? '';
    description = body.error_description ?? '';
  } catch { /* no JSON body */ }
  if (!code) {
    const challenge = res.headers.get('WWW-Authenticate') ?? '';
    code = /error="([^"]*)"/.exec(challenge)?.[1] ?? '';
    description = /error_description="([^"]*)"/.exec(challenge)?.[1] ?? description;
  }
  return new ApiProblem(res.status, code, description);
}

// problemFromError keeps what an SDK error says (its status and code). The
// SDK answers a 401 it cannot cure by refreshing with login_required.
function problemFromError(err) {
  if (err instanceof ApiProblem) return err;
  const status = err?.status ?? (err?.code === 'login_required' ? 401 : 0);
  return new ApiProblem(status, err?.code ?? '', err?.description || err?.message || String(err));
}

function showProblem(err) {
  const p = problemFromError(err);
  $('problem-status').textContent = p.status ? `${p.status} ${STATUS_TEXT[p.status] ?? ''}`.trim() : 'Error';
  $('problem-text').textContent = p.code ? `· ${p.code}` : '';
  let detail = p.description || p.message;
  if (p.code === 'invalid_token' || p.code === 'login_required') detail += ' Your session may have ended: sign in again.';
  $('problem-detail').textContent = detail;
  $('problem').hidden = false;
}

async function loadModels(reset) {
  if (reset) {
    state.modelsCursor = '';
    $('models').replaceChildren();
  }
  const q = new URLSearchParams({ limit: '5', projection: $('full-projection').checked ? 'full' : 'summary' });
  if (state.modelsCursor) q.set('cursor', state.modelsCursor);
  setStatus('Loading content models…');
  try {
    const page = await api(`/models?${q}`);
    for (const m of page.items) $('models').append(modelRow(m));
    state.modelsCursor = page.next_cursor ?? '';
    $('models-more').hidden = !state.modelsCursor;
    $('models-empty').hidden = $('models').children.length > 0;
  } finally {
    setStatus('');
  }
}

function modelRow(m) {
  const tr = document.createElement('tr');
  const name = document.createElement('td');
  name.textContent = m.name;
  if (m.fields) {
    const fields = document.createElement('div');
    fields.className = 'fields';
    fields.textContent = m.fields.map((f) => `${f.name} (${f.type}${f.required ? ', required' : ''})`).join(' · ');
    name.append(fields);
  }
  const id = document.createElement('td');
  const code = document.createElement('code');
  code.textContent = m.id;
  id.append(code);
  const count = document.createElement('td');
  count.textContent = String(m.field_count);
  const updated = document.createElement('td');
  updated.textContent = new Date(m.updated_at).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
  tr.append(name, id, count, updated);
  return tr;
}

async function loadFolders() {
  setStatus('Loading folders…');
  try {
    const { items } = await api('/folders');
    $('folders').replaceChildren(...items.map(folderItem));
    $('folders-empty').hidden = items.length > 0;
  } finally {
    setStatus('');
  }
}

function folderItem(f) {
  const li = document.createElement('li');
  li.dataset.id = f.id;
  const text = document.createElement('div');
  const name = document.createElement('div');
  name.className = 'folder-name';
  name.textContent = f.name;
  const meta = document.createElement('div');
  meta.className = 'folder-meta';
  meta.textContent = `created ${new Date(f.created_at).toLocaleString('en-US')}`;
  text.append(name, meta);
  const del = document.createElement('button');
  del.type = 'button';
  del.className = 'danger';
  del.textContent = 'Delete';
  del.setAttribute('aria-label', `Delete ${f.name}`);
  del.addEventListener('click', () => run(() => deleteFolder(f)));
  li.append(text, del);
  return li;
}

async function createFolder() {
  const input = $('folder-name');
  const name = input.value.trim();
  if (!name) return;
  const folder = await api('/folders', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  input.value = '';
  setStatus(`Created folder “${folder.name}”.`);
  await loadFolders();
  setStatus(`Created folder “${folder.name}”.`);
}

async function deleteFolder(f) {
  await api(`/folders/${encodeURIComponent(f.id)}`, { method: 'DELETE' });
  await loadFolders();
  setStatus(`Deleted folder “${f.name}”.`);
}
