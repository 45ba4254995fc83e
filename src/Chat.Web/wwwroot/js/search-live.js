// A search that stays live: the /search page keeps its query open on the hub (JoinSearch), and
// new comments that match it arrive as SearchMatches. They go at the top of the results, marked
// "new", without moving what the reader is looking at (the first result on screen stays where it
// was), and are told to screen readers through the page's polite live region (#live-news), at most
// once every few seconds. A comment hidden or deleted afterwards (SearchWithdrawn) leaves the list.
// The hits are built like the first page's (renderHit): marked words from ranges, never HTML.
import { ServerEvents } from './events.js';
import { hubConnection, onHubConnected, startHub } from './live.js';
import { el } from './api.js';

const QUIET_MS = 4000;
const GATHER_MS = 250;

/** Key of a hit, for duplicates (a comment on the first page and pushed) and withdrawals. */
export function hitKey(hit) {
  return `${hit?.threadId}/${Number(hit?.seq) || 0}`;
}

/**
 * Starts the live part. `query` is the page's {q, author, thread}; `results` the list; `renderHit`
 * builds one item; `shown` the keys of the hits on the page (the first pages add theirs).
 */
export function startLiveSearch({ query, results, renderHit, shown, onFirstMatch }) {
  const connection = hubConnection();
  if (!connection) return;
  const news = { count: 0, lastAuthor: '', timer: 0, quietUntil: 0 };
  const note = document.getElementById('live-state');

  connection.on(ServerEvents.searchMatches, hits => {
    const fresh = (Array.isArray(hits) ? hits : []).filter(h => !shown.has(hitKey(h)));
    if (fresh.length === 0) return;
    const items = fresh.map(hit => {
      shown.add(hitKey(hit));
      const li = renderHit(hit);
      li.classList.add('new');
      li.dataset.key = hitKey(hit);
      li.prepend(el('span', 'new-mark', 'new '));
      return li;
    });
    keepingPlace(results, () => results.prepend(...items.reverse()));
    onFirstMatch?.();
    announce(news, fresh);
  });
  connection.on(ServerEvents.searchWithdrawn, (threadId, seq) => {
    const key = hitKey({ threadId, seq });
    for (const li of results.querySelectorAll('li.new')) {
      if (li.dataset.key === key) keepingPlace(results, () => li.remove());
    }
  });
  onHubConnected(async () => {
    try {
      await connection.invoke('JoinSearch', query.q, query.thread || null, query.author || null);
      note.textContent = 'New matches appear at the top as they are posted.';
    } catch (e) {
      note.textContent = 'Live results are off: ' + (e?.message ?? e).toString().replace(/^.*HubException: /, '');
    }
    note.hidden = false;
  });
  startHub().catch(e => console.warn('connecting for live results failed', e));
}

/**
 * Runs `change` and scrolls back by how much it moved the first result on screen, so that what the
 * reader is looking at stays put; at the very top of the page the new results simply show.
 */
function keepingPlace(list, change) {
  const anchor = window.scrollY > 0 ? [...list.children].find(li => li.getBoundingClientRect().bottom > 0) : null;
  const top = anchor?.getBoundingClientRect().top;
  change();
  if (!anchor || !anchor.isConnected) return;
  const moved = anchor.getBoundingClientRect().top - top;
  if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
}

function announce(state, hits) {
  state.count += hits.length;
  state.lastAuthor = hits[hits.length - 1].author;
  if (state.timer) return;
  state.timer = setTimeout(() => {
    state.timer = 0;
    const region = document.getElementById('live-news');
    if (region) region.textContent = state.count === 1 ? `New match by ${state.lastAuthor}` : `${state.count} new matches`;
    state.count = 0;
    state.quietUntil = Date.now() + QUIET_MS;
  }, Math.max(GATHER_MS, state.quietUntil - Date.now()));
}
