// Search page /search?q=…&sort=…&author=…&thread=…: the query comes from the address (the header's
// box and this page's form are plain GET forms), results come from GET /api/search, and "next
// results" appends the next page (the cursor), moving focus to its first result.
// Matched words are marked from the answer's ranges by building text nodes and <mark> elements:
// no text from the server is ever parsed as HTML. The query stays open: new matching comments
// arrive live (search-live.js).
import { api, initHeader, el, timeElement, plural, startRelativeTimeRefresh } from './api.js';
import { markedText } from './search-marks.js';
import { startLiveSearch, hitKey } from './search-live.js';

const params = new URLSearchParams(location.search);
const query = {
  q: params.get('q') ?? '',
  sort: params.get('sort') === 'new' ? 'new' : 'relevance',
  author: params.get('author') ?? '',
  thread: params.get('thread') ?? '',
};
const status = document.getElementById('status');
const results = document.getElementById('results');
const nextPage = document.getElementById('next-page');
let cursor = null;
const shown = new Set();

function fillForm() {
  document.getElementById('search-q').value = query.q;
  document.getElementById('site-search-q').value = query.q;
  document.getElementById('search-sort').value = query.sort;
  document.getElementById('search-author').value = query.author;
  const thread = document.getElementById('search-thread');
  thread.value = query.thread;
  thread.disabled = !query.thread; // no empty thread= in the next address
  if (query.thread) {
    const link = document.getElementById('search-scope-thread');
    link.href = '/t/' + encodeURIComponent(query.thread);
    link.textContent = 'this thread';
    const clear = new URLSearchParams({ q: query.q, sort: query.sort });
    document.getElementById('search-scope-clear').href = '/search?' + clear;
    document.getElementById('search-scope').hidden = false;
  }
  if (query.q) document.title = `${query.q} | search | chat`;
}

async function loadPage() {
  const p = new URLSearchParams({ q: query.q, sort: query.sort, limit: '20' });
  if (query.author) p.set('author', query.author);
  if (query.thread) p.set('thread', query.thread);
  if (cursor) p.set('cursor', cursor);
  nextPage.disabled = true;
  let answer;
  try {
    answer = await api('GET', '/api/search?' + p);
  } catch (e) {
    status.textContent = e.message;
    nextPage.hidden = true;
    return null;
  } finally {
    nextPage.disabled = false;
  }
  const hits = (answer?.hits ?? []).filter(h => !shown.has(hitKey(h)));
  hits.forEach(h => shown.add(hitKey(h)));
  const items = hits.map(renderHit);
  results.append(...items);
  cursor = answer?.cursor ?? null;
  nextPage.hidden = !cursor;
  const total = Number(answer?.total) || 0;
  status.textContent = results.children.length === 0 ? 'Nothing found.' : `${plural(total, 'result')} for “${query.q}”`;
  return items;
}

function renderHit(hit) {
  const li = el('li', 'search-hit');
  const seq = Number(hit.seq) || 0;
  const link = el('a', 'comment-link search-snippet');
  // Built from the ids: a result only ever links into this site, to the comment's permalink.
  link.href = '/t/' + encodeURIComponent(hit.threadId) + (seq > 0 ? '#c' + seq : '');
  link.append(...markedText(hit.snippet?.text ?? '', hit.snippet?.ranges ?? []));
  const sub = el('div', 'subtext');
  const author = el('a', 'author', hit.author);
  author.href = '/u/' + encodeURIComponent(hit.author);
  const thread = el('a', 'thread-link', hit.threadTitle);
  thread.href = '/t/' + encodeURIComponent(hit.threadId);
  sub.append(author, seq > 0 ? ' on ' : ' started ', thread, ' · ', timeElement(hit.createdAt), ' · ', plural(Number(hit.points) || 0, 'point'));
  li.append(link, sub);
  return li;
}

async function main() {
  fillForm();
  initHeader();
  nextPage.addEventListener('click', async () => {
    const added = await loadPage();
    if (added?.length) added[0].querySelector('a')?.focus();
  });
  if (!query.q) {
    status.textContent = 'Type words to search for.';
    document.getElementById('search-q').focus();
    return;
  }
  status.textContent = 'Searching…';
  await loadPage();
  startRelativeTimeRefresh();
  startLiveSearch({
    query, results, renderHit, shown,
    onFirstMatch: () => { if (status.textContent === 'Nothing found.') status.textContent = `New results for “${query.q}”`; },
  });
}

main();
