// Inbox /inbox: replies to the signed-in user's comments and comments that mention them, newest
// first, each linking to the comment.
// Opening the page marks them read; while it is open, new replies appear (and are marked read) live.
import { api, initHeader, el, timeElement, startRelativeTimeRefresh, showSignInPrompt, setInboxCount } from './api.js';
import { hubConnection } from './live.js';
import { ServerEvents } from './events.js';
import { rerunning } from './rerun.js';

const status = document.getElementById('status');
const section = document.getElementById('inbox');
const list = document.getElementById('inbox-items');

async function main() {
  const me = await initHeader();
  if (!me) {
    showSignInPrompt(status, 'Sign in to see the replies to your comments and your mentions: ', '/inbox');
    return;
  }
  // The header's count is kept by api.js; this page also redraws its list when replies arrive.
  hubConnection()?.on(ServerEvents.inbox, message => { if (Number(message?.unread) > 0) load(); });
  await load();
  startRelativeTimeRefresh();
}

/** Reads the inbox and marks it read; a call while one is running runs once more after it. */
const load = rerunning(loadOnce);

main();

async function loadOnce() {
  let inbox;
  try {
    inbox = await api('GET', '/api/inbox');
  } catch (e) {
    status.textContent = e.message;
    status.hidden = false;
    return;
  }
  render(inbox);
  if (inbox.unread > 0) {
    try {
      const after = await api('POST', '/api/inbox/read');
      setInboxCount(after?.unread ?? 0);
    } catch (e) {
      console.warn('marking the inbox read failed', e);
    }
  }
}

function render(inbox) {
  const items = Array.isArray(inbox?.items) ? inbox.items : [];
  const unread = Number(inbox?.unread) || 0;
  list.replaceChildren(...items.map((r, i) => renderItem(r, i < unread)));
  if (items.length === 0) list.append(el('li', 'status', 'No replies or mentions yet.'));
  status.hidden = true;
  section.hidden = false;
}

function renderItem(r, isNew) {
  if (r.kind === 'followed') return renderFollowed(r, isNew);
  const li = el('li', 'inbox-item' + (isNew ? ' new' : ''));
  const link = el('a', 'comment-link', r.snippet);
  // Built here from the ids, not taken from the server's `link`: the page only ever links into this site.
  link.href = `/t/${encodeURIComponent(r.threadId)}#c${Number(r.seq)}`;

  const sub = el('div', 'subtext');
  const author = el('a', 'author', r.author);
  author.href = '/u/' + encodeURIComponent(r.author);
  const thread = el('a', 'thread-link', r.threadTitle);
  thread.href = '/t/' + encodeURIComponent(r.threadId);
  sub.append(author, r.kind === 'mention' ? ' mentioned you on ' : ' replied on ', thread, ' ', timeElement(r.createdAt));
  if (isNew) sub.append(' ', el('span', 'new-mark', 'new'));

  li.append(link, sub);
  return li;
}

/** New comments in a followed thread: one item per thread, "N new comments in …", linking to the first. */
function renderFollowed(r, isNew) {
  const li = el('li', 'inbox-item followed' + (isNew ? ' new' : ''));
  const n = Number(r.count) || 0;
  const link = el('a', 'comment-link', `${n} new ${n === 1 ? 'comment' : 'comments'} in ${r.threadTitle}`);
  link.href = `/t/${encodeURIComponent(r.threadId)}#c${Number(r.seq)}`;
  const sub = el('div', 'subtext');
  sub.append('a thread you follow, ', timeElement(r.createdAt));
  if (isNew) sub.append(' ', el('span', 'new-mark', 'new'));
  li.append(link, sub);
  return li;
}
