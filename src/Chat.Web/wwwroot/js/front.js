// Front page: threads by "hot" (points and comments decaying with age, the default) or "new".
// Live: the server pushes the list (`frontPage`) whenever it changes, at most about once a second.
import { api, initHeader, el, safeHttpUrl, domainOf, plural, timeElement, startRelativeTimeRefresh } from './api.js';
import { hubConnection, startHub, onHubConnected, isHubConnected } from './live.js';
import { ServerEvents } from './events.js';
import { showNewCounts, watchReadMarks } from './front-unread.js';

const status = document.getElementById('status');
const list = document.getElementById('threads');

const sort = new URLSearchParams(location.search).get('sort') === 'new' ? 'new' : 'hot';
document.getElementById('sort-' + sort)?.classList.add('current');
document.getElementById('sort-' + sort)?.setAttribute('aria-current', 'page');

let joining = false;
let pushedWhileJoining = false;
let renderedLive = false; // the list shown came over the live connection: newer than a slow first read

watchReadMarks(initHeader());
load();
goLive();
// Only while the live connection is down: re-read the list now and then. Not while the reader is
// tabbing through the list (a redraw keeps focus, but a re-read list may have moved their row).
setInterval(() => {
  if (!document.hidden && !isHubConnected() && !list.contains(document.activeElement)) load();
}, 15_000);

function goLive() {
  const connection = hubConnection();
  if (!connection) return;
  connection.on(ServerEvents.frontPage, (pushedSort, threads) => {
    if (pushedSort !== sort) return;
    if (joining) pushedWhileJoining = true;
    renderedLive = true;
    render(threads);
  });
  onHubConnected(async () => {
    joining = true;
    pushedWhileJoining = false;
    try {
      const threads = await connection.invoke('JoinFrontPage', sort);
      // A push that came meanwhile was read after the join's list: it is at least as new.
      if (!pushedWhileJoining) render(threads);
      renderedLive = true;
      document.body.dataset.frontPage = 'live'; // for tests: changes are pushed from now on
    } finally {
      joining = false;
    }
  });
  startHub().catch(e => console.warn('connecting for live updates failed', e));
}

async function load() {
  let threads;
  try {
    threads = await api('GET', `/api/threads?sort=${sort}&limit=30`);
  } catch (e) {
    if (!renderedLive) status.textContent = e.message;
    return;
  }
  if (renderedLive && isHubConnected()) return;
  render(threads);
}

function render(threads) {
  if (!Array.isArray(threads) || threads.length === 0) {
    status.textContent = 'No threads yet.';
    status.hidden = false;
    list.replaceChildren();
    return;
  }
  status.hidden = true;
  // Redrawing must not take keyboard focus away: find the focused link again in the new rows.
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  const focusedId = focused?.closest('.thread-item')?.dataset.id;
  const focusedClass = focused?.classList[0];
  list.replaceChildren(...threads.map((t, i) => renderItem(t, i + 1)));
  if (focusedId && focusedClass) {
    const row = [...list.children].find(li => li.dataset.id === focusedId);
    row?.querySelector('.' + focusedClass)?.focus();
  }
  startRelativeTimeRefresh();
  showNewCounts(list, threads);
}

function renderItem(t, rank) {
  const threadHref = '/t/' + encodeURIComponent(t.id);
  const url = safeHttpUrl(t.url);

  const li = el('li', 'thread-item');
  li.dataset.id = t.id;
  li.append(el('span', 'rank', rank + '.'));

  const main = el('div', 'thread-main');

  const titleline = el('div', 'titleline');
  const title = el('a', 'title', t.title);
  title.href = url ?? threadHref;
  if (url) title.rel = 'nofollow noopener';
  titleline.append(title);
  if (url) {
    const domain = domainOf(url);
    if (domain) titleline.append(' ', el('span', 'domain', `(${domain})`));
  }

  const sub = el('div', 'subtext');
  const comments = el('a', 'comments-link', plural(Number(t.commentCount) || 0, 'comment'));
  comments.href = threadHref;
  const author = el('a', 'author', t.author);
  author.href = '/u/' + encodeURIComponent(t.author);
  sub.append(el('span', 'points', plural(Number(t.score) || 0, 'point')), ' by ', author, ' ', timeElement(t.createdAt), ' | ', comments);

  main.append(titleline, sub);
  li.append(main);
  return li;
}
