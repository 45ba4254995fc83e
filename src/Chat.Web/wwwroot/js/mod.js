// The moderation queue /mod (moderators): comments readers flagged, oldest first, each with its
// thread, the comment it replies to, the flags (who and why: moderators only) and the decisions
// hide, restore and dismiss. Live: any change to the queue, on any web node, is read again here.
import { api, initHeader, el, timeElement, startRelativeTimeRefresh, showSignInPrompt } from './api.js';
import { hubConnection, onHubConnected, startHub } from './live.js';
import { ServerEvents } from './events.js';
import { renderBody } from './format.js';
import { readableError } from './thread/actions.js';
import { rerunning } from './rerun.js';

const status = document.getElementById('status');
const list = document.getElementById('mod-queue');

const ACTIONS = [
  ['hide', 'hide', 'keep it hidden from readers'],
  ['restore', 'restore', 'show it to readers again'],
  ['dismiss', 'dismiss', 'drop the flags, leave the comment as it is'],
];

/** Reads the queue again; a call while one runs runs once more after it. */
const load = rerunning(async () => {
  try {
    render(await api('GET', '/api/mod/flags'));
  } catch (e) {
    showStatus(e.message);
  }
});

main();

async function main() {
  const me = await initHeader();
  if (!me) {
    showSignInPrompt(status, 'Sign in as a moderator to see flagged comments: ', '/mod');
    return;
  }
  if (!me.moderator) {
    showStatus('Only moderators can see flagged comments.');
    return;
  }
  const c = hubConnection();
  if (c) {
    c.on(ServerEvents.modQueue, () => load());
    onHubConnected(async () => {
      render(await c.invoke('JoinModQueue'));
      document.body.dataset.modQueue = 'live'; // for tests: changes reach this page from now on
    });
    startHub().catch(e => console.warn('connecting for the moderation queue failed', e));
  }
  await load();
  startRelativeTimeRefresh();
}

function showStatus(text) {
  status.textContent = text;
  status.hidden = false;
}

function render(queue) {
  const entries = Array.isArray(queue) ? queue : [];
  // Keep focus where it was when the list is drawn again (another moderator decided meanwhile).
  const focused = document.activeElement?.dataset?.key;
  list.replaceChildren(...entries.map(renderEntry));
  list.hidden = entries.length === 0;
  if (entries.length === 0) showStatus('No flagged comments.');
  else status.hidden = true;
  if (focused) list.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

function renderEntry(f) {
  const seq = Number(f.seq);
  const li = el('li', 'mod-entry');
  li.id = `f-${f.threadId}-${seq}`;

  const context = el('div', 'subtext');
  const thread = el('a', 'thread-link', f.threadTitle);
  thread.href = '/t/' + encodeURIComponent(f.threadId);
  const link = el('a', 'comment-link', 'link');
  link.href = `/t/${encodeURIComponent(f.threadId)}#c${seq}`;
  link.setAttribute('aria-label', `link to comment ${seq} on ${f.threadTitle}`);
  context.append('on ', thread, ' | ', link, ' | ', el('span', 'mod-state', f.hiddenByFlags ? 'hidden by flags' : 'still shown'));
  li.append(context);

  if (f.parentAuthor || f.parentBody) {
    const parent = el('blockquote', 'mod-parent');
    parent.append(el('span', 'subtext', `in reply to ${f.parentAuthor ?? '[gone]'}: `), f.parentBody ?? '');
    li.append(parent);
  }

  const head = el('div', 'subtext');
  const author = el('a', 'author', f.author);
  author.href = '/u/' + encodeURIComponent(f.author);
  head.append(author, ' ', timeElement(f.createdAt));
  const body = el('div', 'body');
  body.append(renderBody(f.body));
  li.append(head, body);

  const flags = el('ul', 'mod-flags');
  for (const flag of Array.isArray(f.flags) ? f.flags : []) {
    const item = el('li', 'mod-flag');
    const who = el('a', 'author', flag.flagger);
    who.href = '/u/' + encodeURIComponent(flag.flagger);
    item.append(who, ': ', el('span', 'flag-reason', flag.reason), ' ', timeElement(flag.at));
    flags.append(item);
  }
  li.append(el('div', 'subtext', `flagged by ${flags.children.length}:`), flags);

  const actions = el('div', 'mod-actions');
  const error = el('span', 'form-error');
  error.setAttribute('role', 'alert');
  for (const [action, text, title] of ACTIONS) {
    const b = el('button', 'linkish mod-' + action, text);
    b.type = 'button';
    b.title = title;
    b.dataset.key = `${action}-${f.threadId}-${seq}`;
    b.setAttribute('aria-label', `${text} comment by ${f.author} on ${f.threadTitle}`);
    b.addEventListener('click', () => decide(f.threadId, seq, action, b, error));
    actions.append(b, ' ');
  }
  actions.append(error);
  li.append(actions);
  return li;
}

async function decide(threadId, seq, action, button, error) {
  if (button.getAttribute('aria-busy') === 'true') return;
  button.setAttribute('aria-busy', 'true');
  try {
    await api('POST', `/api/mod/flags/${encodeURIComponent(threadId)}/${seq}/${action}`);
    // Focus would be lost with the entry: give it to the list's next control, or the heading.
    const entry = button.closest('.mod-entry');
    const next = entry?.nextElementSibling?.querySelector('button') ?? entry?.previousElementSibling?.querySelector('button');
    const target = next ?? document.querySelector('main h1');
    if (target && !next) target.tabIndex = -1;
    target?.focus();
    await load();
  } catch (e) {
    error.textContent = readableError(e);
  } finally {
    button.removeAttribute('aria-busy');
  }
}
