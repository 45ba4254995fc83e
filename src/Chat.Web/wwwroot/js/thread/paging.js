// Getting a thread's comments onto the page: every batch (JoinThread's result, pushes, HTTP pages)
// goes through the sequence and is drawn one step at a time on a promise chain (enqueue).
//
// Big threads load in pages: JoinThread's first page is drawn at once, further pages come over
// HTTP only when the reader scrolls near the end (or presses "load more", or opens a permalink
// further down). Until then, pushes beyond what is loaded wait in the sequence (bounded).

import { api } from '../api.js';
import { expandAbove } from './collapse.js';
import { showLastSeq, updateCommentCount } from './header.js';
import { drawComments } from './render.js';

/** The page state's `paging`. */
export function pagingState() {
  return {
    wantUpTo: 0,      // the reader asked for comments up to here (scrolling, "load more", permalink)
    hashSeq: 0,       // a permalink's comment not loaded yet: highlighted once its page is in
    loading: false,
    near: false,      // the "load more" row is within reach of the viewport
    observer: null,
    retryTimer: 0,
    scrolledToHash: false,
  };
}

/** Runs `fn` after everything queued before it; errors are logged, never break the chain. */
export function enqueue(page, fn) {
  page.chain = page.chain.then(fn).catch(e => console.error('comment processing failed', e));
  return page.chain;
}

/** Process a batch of comments (any order, possibly overlapping what we have). Run via enqueue. */
export async function applyComments(page, comments, knownLastSeq = 0) {
  receive(page, comments, knownLastSeq);
  await loadWanted(page);
}

/** A page in another order (ordered-sequence.js): {comments, roots, served, lastSeq}. Run via enqueue. */
export async function applyOrderedPage(page, orderedPage) {
  receive(page, null, 0, orderedPage);
  await loadWanted(page);
}

function receive(page, comments, knownLastSeq = 0, orderedPage = null) {
  const countBefore = page.sequence.visibleCount;
  const lastBefore = page.sequence.lastSeq;
  const { draw } = orderedPage ? page.sequence.receivePage(orderedPage) : page.sequence.receive(comments, knownLastSeq);
  drawComments(page, draw);
  if (page.sequence.visibleCount !== countBefore) updateCommentCount(page);
  if (page.sequence.lastSeq !== lastBefore) showLastSeq(page);
  updateMore(page);
}

/** Fetch pages after lastSeq over HTTP while the reader wants them. Run via enqueue. */
async function loadWanted(page) {
  const { sequence, paging } = page;
  try {
    for (let next = sequence.nextFetch(paging.wantUpTo, paging.hashSeq); next; next = sequence.nextFetch(paging.wantUpTo, paging.hashSeq)) {
      const before = sequence.progress;
      setLoadingMore(page, true);
      if (next.roots) {
        receive(page, null, 0, await api('GET', `/api/threads/${page.threadId}/comments/ordered?sort=${sequence.order}&roots=${next.roots.join(',')}&limit=${next.limit}`));
      } else {
        receive(page, await api('GET', `/api/threads/${page.threadId}/comments?after=${next.after}&limit=${next.limit}`));
      }
      if (sequence.progress === before) break; // the server has nothing newer (yet): retry later
    }
  } catch (e) {
    console.warn('loading comments failed', e);
  } finally {
    setLoadingMore(page, false);
  }
  if (sequence.nextFetch(paging.wantUpTo, paging.hashSeq)) scheduleGapRetry(page);
  if (paging.hashSeq && sequence.isShown(paging.hashSeq)) highlightHash(page, true);
  // Still near the end after this page (a short page, a tall window)? The observer says so again.
  if (sequence.hasMore && paging.observer) {
    const moreEl = document.getElementById('more-comments');
    paging.observer.unobserve(moreEl);
    paging.observer.observe(moreEl);
  }
}

/** The reader scrolled near the end, or pressed "load more": one more page. */
function requestMore(page, fromScrolling) {
  const { sequence, paging } = page;
  enqueue(page, () => {
    if (fromScrolling) {
      if (!paging.near) return;
      paging.near = false; // until the observer has seen this page's layout (loadWanted asks it again)
    }
    if (!sequence.hasMore) return;
    paging.wantUpTo = Math.max(paging.wantUpTo, sequence.wantNextPage());
    return loadWanted(page);
  });
}

export function setupPaging(page) {
  const { paging } = page;
  // Starts loading before the end is on screen, so a reader scrolling steadily rarely waits.
  paging.observer = new IntersectionObserver(entries => {
    for (const entry of entries) paging.near = entry.isIntersecting;
    if (paging.near) requestMore(page, true);
  }, { rootMargin: '0px 0px 1500px 0px' });
  paging.observer.observe(document.getElementById('more-comments'));
  document.getElementById('load-more').addEventListener('click', () => { if (!paging.loading) requestMore(page, false); });
  window.addEventListener('hashchange', () => highlightHash(page, true));
}

function setLoadingMore(page, loading) {
  page.paging.loading = loading;
  document.getElementById('load-more').setAttribute('aria-busy', String(loading));
  updateMore(page);
}

/** The "load more" row: shown while some of the thread is not on the page, with how much. */
function updateMore(page) {
  const { sequence } = page;
  document.getElementById('more-comments').hidden = !sequence.hasMore;
  document.getElementById('load-more').textContent = page.paging.loading
    ? 'loading more comments…'
    : `load more comments (${sequence.notShown} more)`;
}

function scheduleGapRetry(page) {
  const { paging } = page;
  if (paging.retryTimer) return;
  paging.retryTimer = setTimeout(() => {
    paging.retryTimer = 0;
    enqueue(page, () => applyComments(page, []));
  }, 2000);
}

/** The page was opened at /t/{id}#c{seq}: the target only exists once comments are drawn. */
export function scrollToHashOnce(page) {
  if (page.paging.scrolledToHash) return;
  page.paging.scrolledToHash = true;
  highlightHash(page, true);
}

/** Highlights the comment the address points at (#c{seq}), opening collapsed comments above it. */
function highlightHash(page, scroll) {
  for (const old of document.querySelectorAll('.comment.highlight')) old.classList.remove('highlight', 'target');
  page.paging.hashSeq = 0;
  if (!/^#c\d+$/.test(location.hash)) return;
  const target = document.getElementById(location.hash.slice(1));
  if (!target) {
    // Not loaded yet: load the pages up to it; loadWanted comes back here once it is drawn.
    const seq = Number(location.hash.slice(2));
    const want = page.sequence.wantFor(seq);
    if (want !== null && !page.sequence.isShown(seq)) {
      page.paging.hashSeq = seq;
      page.paging.wantUpTo = Math.max(page.paging.wantUpTo, want);
      enqueue(page, () => loadWanted(page));
    }
    return;
  }
  expandAbove(page, target);
  target.classList.add('highlight', 'target');
  if (scroll) target.scrollIntoView({ block: 'center' });
}
