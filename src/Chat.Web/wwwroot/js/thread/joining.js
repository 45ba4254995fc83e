// The thread on the page's one connection (live.js): the pushes this page listens to, and joining
// the thread after every (re)connection, from the last seq the page has, so that nothing is missed
// and nothing is drawn twice. live.js owns the connection's life cycle; this only reacts to it.

import { api } from '../api.js';
import { ServerEvents } from '../events.js';
import { hubConnection, onHubClosed, onHubConnected, onHubReconnecting, restartHub, startHub } from '../live.js';
import { setConnectionState, setLocked, setThreadPoints, setViewers } from './header.js';
import { announceArrivals } from './announce.js';
import { applyComments, applyOrderedPage, enqueue, scrollToHashOnce } from './paging.js';
import { restorePlaceOnce } from '../reload.js';
import { applyUpdates } from './render.js';
import { showTyping } from './typing.js';

/** The page state's `live`. */
export function liveState() {
  return {
    joining: false,          // JoinThread in flight: pushes are buffered, not processed
    bufferedPushes: [],
    joinedOnce: false,       // a later join is a re-join: changes made meanwhile must be re-read
    hadFirstAttempt: false,  // the banner is not shown before the very first connection attempt
  };
}

/**
 * Listens to the thread's pushes (before the connection starts, so that none is missed), joins on
 * every (re)connection once `found` says the thread exists, and starts the page's connection.
 * `whenReady(fn)` holds changes to the header until it is drawn.
 */
export function goLive(page, found, whenReady) {
  const connection = hubConnection();
  const { threadId, live } = page;
  const forThisThread = handler => (id, ...args) => { if (id === threadId) handler(...args); };

  connection.on(ServerEvents.comments, forThisThread(comments => {
    if (live.joining) live.bufferedPushes.push(comments);
    else enqueue(page, () => applyComments(page, comments));
    announceArrivals(page, comments);
  }));
  // Changed comments (edit, delete, points) under their old seq: not part of the seq sequence.
  connection.on(ServerEvents.updates, forThisThread(updates => enqueue(page, () => applyUpdates(page, updates))));
  connection.on(ServerEvents.threadPoints, forThisThread(points => whenReady(() => setThreadPoints(page, points))));
  connection.on(ServerEvents.viewers, forThisThread(count => setViewers(count)));
  connection.on(ServerEvents.threadLocked, forThisThread(locked => whenReady(() => setLocked(page, locked))));
  connection.on(ServerEvents.typing, forThisThread((userName, parentSeq) => showTyping(page, String(userName), Number(parentSeq) || 0)));

  onHubReconnecting(() => setConnectionState(page, 'reconnecting'));
  onHubClosed(() => {
    live.hadFirstAttempt = true;
    setConnectionState(page, 'disconnected');
  });
  onHubConnected(async () => {
    live.hadFirstAttempt = true;
    if (!await found) return; // no such thread: never joined
    try {
      // A new connection has no group membership: join again and fetch exactly what we missed.
      await join(page);
      setConnectionState(page, 'connected');
      scrollToHashOnce(page);
      restorePlaceOnce();
    } catch (e) {
      console.warn('joining failed', e);
      restartHub(); // the life cycle starts it again, and this joins again
    }
  });
  startHub().catch(e => console.warn('connecting failed', e));
}

/**
 * JoinThread(threadId, lastSeq): returns comments after lastSeq (at most 500) plus the thread's
 * lastSeq; the rest comes page by page as the reader scrolls (paging.js). In another order the
 * first join is JoinThreadOrdered(threadId, order), its first page in that order; a re-join reads
 * what came after, like pushes (ordered-sequence.js places them). Pushes arriving
 * meanwhile are buffered and processed after the join result, so they normally need no extra fetch.
 * Resolves once that first page is drawn.
 */
async function join(page) {
  const { live } = page;
  live.joining = true;
  live.bufferedPushes = [];
  let result;
  try {
    result = page.sequence.roots === null
      ? await hubConnection().invoke('JoinThreadOrdered', page.threadId, page.sequence.order)
      : await hubConnection().invoke('JoinThread', page.threadId, page.sequence.lastSeq);
  } finally {
    // Hand buffered pushes to the chain synchronously, in arrival order, before any later push.
    const pushes = live.bufferedPushes;
    live.bufferedPushes = [];
    live.joining = false;
    enqueue(page, async () => {
      if (result?.page) await applyOrderedPage(page, result.page);
      else if (result) await applyComments(page, result.comments, Number(result.lastSeq) || 0);
      for (const batch of pushes) await applyComments(page, batch);
    });
  }
  setViewers(result.viewers);
  await page.chain;
  if (live.joinedOnce) enqueue(page, () => refreshShown(page));
  live.joinedOnce = true;
}

/**
 * After a re-join: JoinThread only returns seqs after ours, so edits, deletes and points pushed
 * while we were away are missing. Re-read what the page shows and redraw only what changed.
 */
async function refreshShown(page) {
  const upTo = page.sequence.highestShown;
  let after = 0;
  try {
    const info = await api('GET', '/api/threads/' + page.threadId);
    setThreadPoints(page, info?.points);
    setLocked(page, info?.locked);
    while (after < upTo) {
      const comments = await api('GET', `/api/threads/${page.threadId}/comments?after=${after}&limit=1000`);
      if (!Array.isArray(comments) || comments.length === 0) break;
      applyUpdates(page, page.sequence.changed(comments));
      after = comments[comments.length - 1].seq;
    }
  } catch (e) {
    console.warn('refreshing comments after a reconnect failed', e);
  }
}
