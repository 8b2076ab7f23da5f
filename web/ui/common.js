// common.js: what every page of the fairdex browser UI shares.  The server
// writes each page's shell (header, navigation, language switch, footer;
// web/serve_ui.c) and names the language in <html lang> and the base IRI
// in <html data-base>; a page's module imports from here to translate its
// texts, build DOM without HTML strings (every value from the API is
// text), call the JSON API with a clear error, link IRIs to their local
// pages, and keep a curator's or admin's token for the browser session.

export const lang = document.documentElement.lang === 'de' ? 'de' : 'en';
export const base = document.documentElement.dataset.base || '/';

// ---- texts ---------------------------------------------------------------

const texts = { en: {}, de: {} };

// Register a page's texts: { en: { key: 'text' }, de: { key: 'Text' } }.
export function addTexts(more) {
  for (const l of ['en', 'de']) Object.assign(texts[l], more[l] || {});
}

// The text `key` in the page's language (English when untranslated), with
// {name} replaced from `vars`.
export function t(key, vars) {
  let s = texts[lang][key] ?? texts.en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

addTexts({
  en: {
    'error.network': 'The server could not be reached. Check the connection and try again.',
    'error.http': 'The server answered {status}: {message}',
    'token.label': 'Token',
    'token.help': 'Your {role} token. It is kept for this browser session only.',
    'token.use': 'Use token',
    'token.forget': 'Forget token',
    'token.set': 'A token is set for this session.',
    'token.none': 'No token set: you can read, but not change anything.',
    'loading': 'Loading…',
  },
  de: {
    'error.network': 'Der Server ist nicht erreichbar. Bitte Verbindung prüfen und erneut versuchen.',
    'error.http': 'Der Server antwortete {status}: {message}',
    'token.label': 'Token',
    'token.help': 'Ihr {role}-Token. Es wird nur für diese Browser-Sitzung gespeichert.',
    'token.use': 'Token verwenden',
    'token.forget': 'Token vergessen',
    'token.set': 'Für diese Sitzung ist ein Token gesetzt.',
    'token.none': 'Kein Token gesetzt: Sie können lesen, aber nichts ändern.',
    'loading': 'Wird geladen…',
  },
});

// ---- DOM -----------------------------------------------------------------

// el('a', { href: '/x', class: 'c', onclick: f }, 'text', child, [more])
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'selected') node[k] = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

export const main = () => document.getElementById('main');

const entities = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };
const unescape = (s) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (m) => entities[m]);

// The search API's snippets are escaped text with <mark> around matched
// words: build them as text nodes and <mark> elements, nothing else.
export function marked(snippet) {
  const out = [];
  const parts = String(snippet || '').split(/(<mark>|<\/mark>)/);
  let open = false;
  for (const p of parts) {
    if (p === '<mark>') open = true;
    else if (p === '</mark>') open = false;
    else if (p) out.push(open ? el('mark', {}, unescape(p)) : unescape(p));
  }
  return out;
}

// A status line that screen readers announce.
export function notice(text, kind) {
  return el('p', { class: 'notice' + (kind ? ' ' + kind : ''), role: kind === 'error' ? 'alert' : 'status' }, text);
}

// ---- links ---------------------------------------------------------------

// The local page of `iri`: its own path when it is under the base, else
// /resource?iri=.
export function localHref(iri) {
  if (iri && base && iri.startsWith(base) && iri.length > base.length) {
    return '/' + iri.slice(base.length);
  }
  return '/resource?iri=' + encodeURIComponent(iri);
}

export function formatDate(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB',
    dateOnly ? { dateStyle: 'medium', timeZone: 'UTC' } : { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatNumber(n) {
  return new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB').format(n);
}

// ---- the API ---------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
    this.code = body && body.error;
  }
}

// Call the JSON API.  options: { method, body (JSON-encoded when not a
// string), headers, auth (send the session token), signal }.  Answers the
// parsed JSON (or null for 204) and { etag } on `meta` when given; throws
// ApiError with the server's message.
export async function api(path, options = {}, meta) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  let body = options.body;
  if (body !== undefined && typeof body !== 'string') {
    body = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (options.auth && getToken()) headers.Authorization = 'Bearer ' + getToken();
  let response;
  try {
    response = await fetch(path, { method: options.method || 'GET', headers, body, signal: options.signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null, t('error.network'));
  }
  if (meta) meta.etag = response.headers.get('ETag');
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const message = (json && json.message) || response.statusText || String(response.status);
    throw new ApiError(response.status, json, t('error.http', { status: response.status, message }));
  }
  return json;
}

// ---- the session token -------------------------------------------------------

const TOKEN_KEY = 'fairdex_token';

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch (e) {
    return '';
  }
}

export function setToken(value) {
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch (e) {
    /* storage refused: the token lives as long as the page */
  }
}

// A small form to enter the token once per session; `role` names it in the
// help text, `onchange` runs after it is set or forgotten.
export function tokenPanel(role, onchange) {
  const box = el('section', { class: 'token', 'aria-label': t('token.label') });
  const render = () => {
    clear(box);
    if (getToken()) {
      box.append(el('p', {}, t('token.set'), ' ',
        el('button', { type: 'button', class: 'secondary', onclick: () => { setToken(''); render(); onchange && onchange(); } }, t('token.forget'))));
      return;
    }
    const input = el('input', { id: 'token-input', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
    box.append(el('form', {
      class: 'inline', onsubmit: (e) => {
        e.preventDefault();
        setToken(input.value.trim());
        render();
        onchange && onchange();
      },
    }, el('label', { for: 'token-input' }, t('token.label')), input,
    el('button', { type: 'submit' }, t('token.use')),
    el('small', { id: 'token-help' }, t('token.help', { role }), ' ', t('token.none'))));
  };
  render();
  return box;
}

// ---- the language switch -------------------------------------------------------

function setLanguage(l) {
  document.cookie = 'fairdex_lang=' + l + '; path=/; max-age=31536000; samesite=lax';
  location.reload();
}

for (const button of document.querySelectorAll('.lang button[data-lang]')) {
  button.addEventListener('click', () => {
    if (button.dataset.lang !== lang) setLanguage(button.dataset.lang);
  });
}
