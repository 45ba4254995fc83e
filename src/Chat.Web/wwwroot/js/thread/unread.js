// New since your last visit: the signed-in reader's read mark for this thread (kept by the server in
// the user's grain, so every device sees it), the "new" label on comments after it, the "next new
// comment" control (button and the `n` key), and advancing the mark as the reader reads.
//
// The mark is the highest seq such that every comment up to it has been read: it was on screen
// (its head line fully in view, the tab visible), or there was nothing to read (deleted, hidden,
// inside a collapsed comment, the reader's own). So a comment is never skipped because the reader
// jumped past it, and opening the page reads only what is on screen. The page reports a mark that
// moved at most every few seconds (and when it is left), never per comment.
// A thread never visited has no mark: its first visit labels nothing new, and starts the mark.

import { api } from '../api.js';
import { viaHubOrHttp } from '../live.js';
import { expandAbove } from './collapse.js';
import { applyComments, enqueue } from './paging.js';
import { PAGE_SIZE } from './sequence.js';

const REPORT_EVERY_MS = 3000;
/** Comments with the "new" label (a deleted one loses it when redrawn). */
const NEW_COMMENTS = '#comments .comment:has(> .new-label)';

/** The page state's `unread`. */
export function unreadState() {
  return {
    since: null,          // the mark when the page opened (null: first visit, or not signed in)
    mark: 0,              // read up to here
    reported: -1,         // the last mark the server has
    reportTimer: 0,
    reportedAt: 0,
    seen: new Set(),      // seqs above the mark that were on screen
    onScreen: new Set(),  // seqs whose head is in view now (read once the tab is visible)
    unseenNew: new Set(), // labelled "new" and not read yet
    observer: null,
    advanceQueued: false,
  };
}

/** Signed in: reads the mark before any comment is drawn (so that labels are right from the start). */
export async function loadReadMark(page) {
  const state = page.unread;
  try {
    const result = await api('GET', `/api/threads/${page.threadId}/read`);
    state.since = result?.seq ?? null;
  } catch (e) {
    console.warn('reading the read mark failed', e);
    return;
  }
  state.mark = state.since ?? 0;
  state.reported = state.since ?? -1;
  state.observer = new IntersectionObserver(entries => {
    // In order: a fast scroll may bring a comment in and out between two callbacks, and it was seen.
    for (const entry of entries) {
      const seq = Number(entry.target.closest('.comment')?.dataset.seq);
      if (entry.isIntersecting) state.onScreen.add(seq);
      if (entry.isIntersecting && document.visibilityState === 'visible') markSeen(state, seq, entry.target);
      if (!entry.isIntersecting) state.onScreen.delete(seq);
    }
    queueAdvance(page);
  }, { threshold: 1 });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') queueAdvance(page);
    else reportOnLeaving(page);
  });
  window.addEventListener('pagehide', () => reportOnLeaving(page));
  setupNextNewControl(page);
  // The first visit is recorded as one even if nothing gets read: from then on, comments are new.
  if (state.since === null) scheduleReport(page);
}

/** True for a comment drawn with the "new" label: after the mark the page opened with, someone else's. */
export function isNewComment(page, c) {
  const since = page.unread?.since;
  return since !== null && since !== undefined && c.seq > since && !c.deleted && !c.hidden && c.author !== page.me?.userName;
}

/**
 * The "new" label, just before the comment's head line (floated onto it by CSS), or none once the
 * comment is deleted or hidden. Outside the head line on purpose: there it would be more words
 * around the author's link, and axe would then ask that link to look different from that text.
 */
export function showNewLabel(page, node, c) {
  const old = node.querySelector(':scope > .new-label');
  if (!isNewComment(page, c)) {
    old?.remove();
    return;
  }
  if (old) return;
  const label = document.createElement('span');
  label.className = 'new-label';
  label.textContent = 'new';
  node.prepend(label);
}

/** A comment was drawn: watched until read, if it is past the mark. */
export function watchReading(page, node, c) {
  const state = page.unread;
  if (!state.observer || c.seq <= state.mark) return;
  if (isNewComment(page, c)) state.unseenNew.add(c.seq);
  state.observer.observe(node.querySelector(':scope > .comhead'));
  queueAdvance(page);
}

function queueAdvance(page) {
  const state = page.unread;
  if (state.advanceQueued) return;
  state.advanceQueued = true;
  setTimeout(() => {
    state.advanceQueued = false;
    advance(page);
  }, 0);
}

/** Counts what is on screen as read, and moves the mark over everything read in a row. */
function advance(page) {
  const state = page.unread;
  if (document.visibilityState === 'visible') {
    for (const seq of state.onScreen) markSeen(state, seq, document.querySelector(`#c${seq} > .comhead`));
  }
  let mark = state.mark;
  while (mark < page.sequence.lastSeq && (state.seen.has(mark + 1) || !needsReading(page, mark + 1))) {
    state.seen.delete(++mark);
  }
  for (const seq of state.unseenNew) if (!needsReading(page, seq)) state.unseenNew.delete(seq);
  showNewCount(page);
  if (mark === state.mark) return;
  state.mark = mark;
  document.body.dataset.readMark = String(mark); // for tests: read up to here
  scheduleReport(page);
}

function markSeen(state, seq, head) {
  state.seen.add(seq);
  state.unseenNew.delete(seq);
  state.onScreen.delete(seq);
  if (head) state.observer.unobserve(head);
}

/** Whether a drawn comment has something for the reader to read. */
function needsReading(page, seq) {
  const c = page.sequence.get(seq);
  if (!c || c.deleted || c.hidden || c.author === page.me?.userName) return false;
  const node = document.getElementById('c' + seq);
  return !!node && !node.parentElement?.closest('.comment.collapsed');
}

function scheduleReport(page) {
  const state = page.unread;
  if (state.reportTimer) return;
  state.reportTimer = setTimeout(() => {
    state.reportTimer = 0;
    report(page);
  }, Math.max(0, state.reportedAt + REPORT_EVERY_MS - Date.now()));
}

async function report(page) {
  const state = page.unread;
  const mark = state.mark;
  if (mark <= state.reported) return;
  state.reportedAt = Date.now();
  try {
    const result = await viaHubOrHttp(
      c => c.invoke('MarkRead', page.threadId, mark),
      () => api('PUT', `/api/threads/${page.threadId}/read`, { seq: mark }));
    state.reported = Math.max(state.reported, Number(result?.seq) || 0);
    document.body.dataset.readMarkSaved = String(state.reported); // for tests: the server has it
  } catch (e) {
    console.warn('saving the read mark failed; will try again', e);
  }
  if (state.mark > state.reported) scheduleReport(page);
}

/** Leaving (or hiding) the page: what was read goes now, in a request that outlives the page. */
function reportOnLeaving(page) {
  const state = page.unread;
  if (state.mark <= state.reported) return;
  state.reported = state.mark;
  fetch(`/api/threads/${page.threadId}/read`, {
    method: 'PUT',
    keepalive: true,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Chat-Request': '1' },
    body: JSON.stringify({ seq: state.mark }),
  }).catch(() => {});
}

/** The bar above the comments: "3 new comments · next new comment (n)", while there are new ones. */
function showNewCount(page) {
  const bar = document.getElementById('new-comments');
  if (!bar || page.unread.since === null) return;
  const anyNew = document.querySelector(NEW_COMMENTS) !== null || page.sequence.targetSeq > page.sequence.lastSeq;
  bar.hidden = !anyNew;
  const n = page.unread.unseenNew.size;
  document.getElementById('new-count').textContent = n === 0 ? 'no unread new comments' : `${n} unread new ${n === 1 ? 'comment' : 'comments'}`;
}

function setupNextNewControl(page) {
  document.getElementById('next-new')?.addEventListener('click', () => goToNextNew(page));
  document.addEventListener('keydown', e => {
    if (e.key !== 'n' || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target;
    if (target instanceof Element && target.closest('input, textarea, select, [contenteditable]:not([contenteditable=false])')) return;
    e.preventDefault();
    goToNextNew(page);
  });
}

/**
 * Scrolls to and focuses the next comment labelled "new" after the one in focus (or after the top
 * of the screen), loading further pages of a big thread until it finds one or the thread ends.
 */
async function goToNextNew(page) {
  let next = nextNewAfter(currentComment());
  while (!next && page.sequence.lastSeq < page.sequence.targetSeq) {
    const before = page.sequence.lastSeq;
    page.paging.wantUpTo = Math.max(page.paging.wantUpTo, before + PAGE_SIZE);
    await enqueue(page, () => applyComments(page, []));
    if (page.sequence.lastSeq === before) break;
    next = nextNewAfter(currentComment());
  }
  const status = document.getElementById('next-new-status');
  if (!next) {
    status.textContent = 'No more new comments.';
    return;
  }
  status.textContent = '';
  expandAbove(page, next);
  for (const old of document.querySelectorAll('.comment.current-new')) old.classList.remove('current-new');
  next.classList.add('current-new');
  next.tabIndex = -1;
  next.scrollIntoView({ block: 'center' });
  next.focus({ preventScroll: true });
}

/**
 * The comment the reader is at: the focused one, else the one last gone to while it is still on
 * screen (the button took the focus), else the first whose head is below the top of the screen.
 */
function currentComment() {
  const focused = document.activeElement?.closest?.('#comments .comment');
  if (focused) return { node: focused, after: true };
  const last = document.querySelector('#comments .comment.current-new');
  const box = last?.getBoundingClientRect();
  if (box && box.bottom > 0 && box.top < window.innerHeight) return { node: last, after: true };
  const heads = document.querySelectorAll('#comments .comment > .comhead');
  for (const head of heads) {
    if (head.getBoundingClientRect().top >= 0) return { node: head.parentElement, after: false };
  }
  return null;
}

function nextNewAfter(at) {
  for (const node of document.querySelectorAll(NEW_COMMENTS)) {
    if (!at) return node;
    if (node === at.node) {
      if (!at.after) return node;
      continue;
    }
    const position = at.node.compareDocumentPosition(node);
    if (position & Node.DOCUMENT_POSITION_FOLLOWING) return node;
  }
  return null;
}
