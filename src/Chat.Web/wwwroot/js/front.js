// Front page: newest threads first.
import { api, initHeader, el, safeHttpUrl, domainOf, plural, timeElement, startRelativeTimeRefresh } from './api.js';

const status = document.getElementById('status');
const list = document.getElementById('threads');

initHeader();
load();

async function load() {
  let threads;
  try {
    threads = await api('GET', '/api/threads?sort=new&limit=30');
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
  sub.append('by ', el('span', 'author', t.author), ' ', timeElement(t.createdAt), ' | ', comments);

  main.append(titleline, sub);
  li.append(main);
  return li;
}
