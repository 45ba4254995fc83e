// Front page: threads by "hot" (points and comments decaying with age, the default) or "new".
import { api, initHeader, el, safeHttpUrl, domainOf, plural, timeElement, startRelativeTimeRefresh } from './api.js';

const status = document.getElementById('status');
const list = document.getElementById('threads');

const sort = new URLSearchParams(location.search).get('sort') === 'new' ? 'new' : 'hot';
document.getElementById('sort-' + sort)?.classList.add('current');
document.getElementById('sort-' + sort)?.setAttribute('aria-current', 'page');

initHeader();
load();
// Points and counts reach the front page through throttled updates; re-reading the list now and
// then keeps an open front page current without a push channel of its own.
// Not while the reader is tabbing through the list: redrawing it would take their focus away.
setInterval(() => { if (!document.hidden && !list.contains(document.activeElement)) load(); }, 15_000);

async function load() {
  let threads;
  try {
    threads = await api('GET', `/api/threads?sort=${sort}&limit=30`);
  } catch (e) {
    status.textContent = e.message;
    return;
  }
  if (!Array.isArray(threads) || threads.length === 0) {
    status.textContent = 'No threads yet.';
    return;
  }
  status.hidden = true;
  list.replaceChildren(...threads.map((t, i) => renderItem(t, i + 1)));
  startRelativeTimeRefresh();
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
