// Shared helpers: JSON fetch with RFC 7807 error handling, the signed-in user,
// the header bar, relative times and small DOM utilities.
//
// Security note: everything here builds DOM with createElement/textContent.
// Never use innerHTML with anything that came from the server.

import { watchInbox } from './live.js';
// The header's search box is on every page, and so its "/" key: every page's script imports this module.
import './site-search.js';

/** Error thrown for a non-2xx response; `message` is the text to show to a person. */
export class ApiError extends Error {
  constructor(status, message, problem) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/**
 * fetch() a JSON API endpoint. Resolves with the parsed body (or null when there is none),
 * rejects with ApiError carrying the problem's `detail` (falling back to `title`).
 */
export async function api(method, path, body) {
  const init = {
    method,
    credentials: 'same-origin',
    // X-Chat-Request: the server's CSRF check for cookie-authenticated changes (see CsrfHeaderCheck.cs).
    headers: { Accept: 'application/json, application/problem+json', 'X-Chat-Request': '1' },
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'Network error: could not reach the server.', null);
  }

  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (res.status !== 204 && type.includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  }

  if (!res.ok) {
    const message =
      (data && typeof data.detail === 'string' && data.detail) ||
      (data && typeof data.title === 'string' && data.title) ||
      `Request failed (${res.status}${res.statusText ? ' ' + res.statusText : ''}).`;
    throw new ApiError(res.status, message, data);
  }
  return data;
}

/** The signed-in user ({userName}) or null when not signed in. Other failures are thrown. */
export async function getMe() {
  try {
    return await api('GET', '/api/me');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** Only same-origin absolute paths are acceptable redirect targets ("//evil" and "/\evil" are not). */
export function safeReturnPath(value) {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  if (value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}

/** Path + query + hash of the current page: what login should send the user back to. */
export function currentPath() {
  return location.pathname + location.search + location.hash;
}

export function loginHref(returnPath = currentPath()) {
  return '/login?return=' + encodeURIComponent(returnPath);
}

/** Shorthand for createElement with a class and optional text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Returns the URL string if it is an absolute http(s) URL, else null (defends against javascript: etc.). */
export function safeHttpUrl(url) {
  if (typeof url !== 'string' || url === '') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** "example.com" for "https://www.example.com/x", or '' when the URL is unusable. */
export function domainOf(url) {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** HN-style relative time: "just now", "3 minutes ago", "2 hours ago", "5 days ago", ... */
export function relativeTime(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const seconds = Math.max(0, Math.floor((now - t) / 1000)); // clock skew: never "in the future"
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute') + ' ago';
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return plural(hours, 'hour') + ' ago';
  const days = Math.floor(hours / 24);
  if (days < 30) return plural(days, 'day') + ' ago';
  const months = Math.floor(days / 30);
  if (months < 12) return plural(months, 'month') + ' ago';
  return plural(Math.floor(days / 365), 'year') + ' ago';
}

/** A <time class="reltime"> element; refreshRelativeTimes() keeps its text current. */
export function timeElement(iso) {
  const t = el('time', 'reltime', relativeTime(iso));
  t.dateTime = iso;
  t.title = iso;
  return t;
}

export function refreshRelativeTimes(root = document) {
  const now = Date.now();
  for (const t of root.querySelectorAll('time.reltime')) {
    const text = relativeTime(t.dateTime, now);
    if (t.textContent !== text) t.textContent = text;
  }
}

let refreshTimer = 0;
/** Refresh every relative time on the page every 30 s (idempotent). */
export function startRelativeTimeRefresh() {
  if (!refreshTimer) refreshTimer = setInterval(refreshRelativeTimes, 30_000);
}

/**
 * Fills the header's #user-area: "login" link, or "{userName} | inbox (N) | logout", where the
 * unread reply count N is kept live over the page's SignalR connection.
 * Resolves with the signed-in user or null. Never throws: a failing /api/me
 * is treated as signed out so the page still renders.
 */
export async function initHeader() {
  let me = null;
  try {
    me = await getMe();
  } catch (e) {
    console.warn('GET /api/me failed', e);
  }
  renderUserArea(me);
  if (me) watchInbox(setInboxCount);
  return me;
}

/** "inbox (N)" while N replies are unread, plain "inbox" when none are. */
export function setInboxCount(unread) {
  const link = document.getElementById('inbox-link');
  if (!link) return;
  const n = Math.max(0, Number(unread) || 0);
  link.textContent = n > 0 ? `inbox (${n})` : 'inbox';
  link.classList.toggle('unread', n > 0);
  link.title = n === 0 ? 'replies to your comments' : n === 1 ? '1 unread reply' : `${n} unread replies`;
}

export function renderUserArea(me) {
  const area = document.getElementById('user-area');
  if (!area) return;
  area.replaceChildren();

  if (!me) {
    // On the login page itself, a "login" link pointing back at /login would be silly.
    if (location.pathname !== '/login') {
      const a = el('a', 'login-link', 'login');
      a.href = loginHref();
      area.append(a);
    }
    return;
  }

  const name = el('span', 'me', me.userName);
  name.id = 'me';
  const logout = el('button', 'linkish', 'logout');
  logout.type = 'button';
  logout.id = 'logout';
  logout.addEventListener('click', async () => {
    logout.disabled = true;
    try {
      await api('POST', '/api/auth/logout');
    } catch (e) {
      console.warn('logout failed', e);
    }
    location.reload();
  });
  const inbox = el('a', 'inbox-link', 'inbox');
  inbox.id = 'inbox-link';
  inbox.href = '/inbox';
  const settings = el('a', 'settings-link', 'settings');
  settings.id = 'settings-link';
  settings.href = '/settings';
  area.append(name, ' | ', inbox, ' | ', settings, ' | ');
  if (me.moderator) {
    const mod = el('a', 'mod-link', 'mod');
    mod.id = 'mod-link';
    mod.href = '/mod';
    area.append(mod, ' | ');
  }
  area.append(logout);
}

/** Generates a client id for idempotent posting; randomUUID needs a secure context, so fall back. */
export function newClientId() {
  if (typeof crypto.randomUUID === 'function') {
    try { return crypto.randomUUID(); } catch { /* insecure context: fall through */ }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const h = Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Ctrl+Enter (or Cmd+Enter) in a textarea submits its form. */
export function submitOnCtrlEnter(textarea) {
  textarea.addEventListener('keydown', e => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      textarea.form?.requestSubmit();
    }
  });
}

/** A page for signed-in people, opened signed out: `text` and a "login" link back to `returnPath`, in `status`. */
export function showSignInPrompt(status, text, returnPath) {
  const a = el('a', '', 'login');
  a.href = loginHref(returnPath);
  status.replaceChildren(text, a);
  status.hidden = false;
}
