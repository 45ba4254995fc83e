// Thread page: metadata, live comment tree over SignalR, top-level and reply forms.
//
// Core invariant: a comment is rendered only when its seq === lastSeq + 1, after which lastSeq
// advances. Every source of comments (JoinThread result, `comments` pushes, HTTP pages) feeds the
// `pending` map and then `drain()` renders whatever is contiguous. That makes "render each comment
// exactly once, in seq order" hold no matter how sources overlap or race. The one exception: a
// reply whose parent is on screen is drawn at once, in seq order among its siblings (see drain).
// All of that processing runs one step at a time on a promise chain (`enqueue`).
//
// Big threads load in pages: JoinThread's first page is drawn at once, further pages come over
// HTTP only when the reader scrolls near the end (or presses "load more", or opens a permalink
// further down). Until then, pushes beyond what is loaded wait in `pending` (bounded).

import {
  api, ApiError, initHeader, el, safeHttpUrl, domainOf, plural, timeElement,
  startRelativeTimeRefresh, loginHref, newClientId, submitOnCtrlEnter,
} from './api.js';
import { renderBody } from './format.js';
import { hubConnection, startHub } from './live.js';

const threadId = location.pathname.split('/').filter(Boolean).pop() ?? '';

const statusEl = document.getElementById('status');
const threadEl = document.getElementById('thread');
const bannerEl = document.getElementById('connection-banner');
const viewersEl = document.getElementById('viewers');
const commentsEl = document.getElementById('comments');

let me = null;           // {userName} or null
let thread = null;       // GET /api/threads/{id} result
let lastSeq = 0;         // highest seq rendered; all of 1..lastSeq are in the DOM
let targetSeq = 0;       // highest seq the server told us exists (JoinThread's lastSeq, pushes)
let wantUpTo = 0;        // the reader asked for comments up to here (scrolling, "load more", permalink)
let hashSeq = 0;         // a permalink's comment not loaded yet: highlighted once its page is in
let loadingMore = false;
let moreNear = false;    // the "load more" row is within reach of the viewport
let moreObserver = null;
const pending = new Map();   // seq -> comment received but not yet renderable (gap before it)
const childrenOf = new Map(); // seq -> that comment's .children element
const shown = new Map();      // seq -> the comment as last rendered (updates replace it)
const earlyUpdates = new Map(); // seq -> an `updates` push for a comment not rendered yet
const myVotes = new Set();    // seqs I have up-voted here (0 = the thread)

/** Comments per HTTP page while scrolling (JoinThread's first page is the server's, at most 500). */
const PAGE_SIZE = 500;
/** The API's largest page: a permalink far down gets there in fewer round trips. */
const JUMP_PAGE_SIZE = 1000;
/** Pushes (and updates) kept for comments not loaded yet; beyond this they are re-read with their page. */
const MAX_HELD = 2000;
const moreEl = document.getElementById('more-comments');
const moreButton = document.getElementById('load-more');
const collapsedKey = 'chat.collapsed.' + threadId;
const collapsed = new Set(readCollapsed()); // remembered for the visit (sessionStorage)

let connection = null;
let joining = false;         // JoinThread in flight: pushes are buffered, not processed
let bufferedPushes = [];
/** Called once the header is drawn and my votes are known: comments are drawn only after that. */
let pageReady = null;
let isReady = false;
const ready = new Promise(resolve => { pageReady = resolve; });
let chain = ready;
let gaveUp = false;          // no such thread (or it could not be read): no joining, no banner
/** Called once GET /api/threads/{id} found the thread: joining waits for it (no join of a 404). */
let threadFound = null;
const found = new Promise(resolve => { threadFound = resolve; });
let gapRetryTimer = 0;
let restartTimer = 0;
/** Set when the server asked us to reconnect (it is shutting down): restart without the usual pause. */
let reconnectNow = false;
let hadFirstAttempt = false; // the banner is not shown before the very first connection attempt
let scrolledToHash = false;
let joinedOnce = false;      // a later join is a re-join: changes made meanwhile must be re-read

setConnectionState('disconnected');
setLastSeq(0);
main();

async function main() {
  if (!/^[a-z0-9]{12}$/.test(threadId)) {
    showNoSuchThread();
    initHeader();
    return;
  }

  // Connect while the user and the thread load, and join as soon as the thread is known to exist,
  // so the first page is on its way sooner; the chain holds it until the page around it is ready.
  connect();
  let meResult;
  [meResult, thread] = await Promise.all([
    initHeader(),
    api('GET', '/api/threads/' + threadId).catch(e => e),
  ]);
  me = meResult;

  if (thread instanceof Error) {
    // Never joined (see `found`); the connection itself is the page's, shared with the inbox count.
    gaveUp = true;
    setConnectionState('disconnected');
    if (thread instanceof ApiError && thread.status === 404) showNoSuchThread();
    else statusEl.textContent = thread.message;
    return;
  }
  threadFound();

  if (me) await loadMyVotes();
  renderThreadHeader();
  setupCommentForm();
  setupPaging();
  window.addEventListener('hashchange', () => highlightHash(true));
  statusEl.hidden = true;
  threadEl.hidden = false;
  startRelativeTimeRefresh();
  isReady = true;
  pageReady();
}

/** Pushes that change the header wait until it is drawn: the page connects before that. */
function whenReady(fn) {
  if (isReady) fn(); else ready.then(fn);
}

function showNoSuchThread() {
  statusEl.textContent = 'No such thread.';
  document.title = 'No such thread | chat';
}

// ---------------------------------------------------------------------------------------------
// Thread header

function renderThreadHeader() {
  document.title = thread.title + ' | chat';
  const titleLink = document.getElementById('thread-title');
  titleLink.textContent = thread.title;
  const url = safeHttpUrl(thread.url);
  if (url) {
    titleLink.href = url;
    titleLink.rel = 'nofollow noopener';
    const domain = domainOf(url);
    if (domain) document.getElementById('thread-domain').textContent = ` (${domain})`;
  } else {
    titleLink.href = '/t/' + threadId;
  }

  const count = el('span', '', '');
  count.id = 'comment-count';
  const points = el('span', 'points');
  points.id = 'thread-points';
  const meta = document.getElementById('thread-meta');
  const vote = voteControl(0, thread.author);
  if (vote) meta.append(vote, ' ');
  meta.append(points, ' by ', authorLink(thread.author), ' ', timeElement(thread.createdAt), ' | ', count);
  setThreadPoints(thread.points);
  updateCommentCount();
  if (me?.moderator) {
    const lockButton = el('button', 'linkish lock-toggle');
    lockButton.type = 'button';
    lockButton.id = 'lock-toggle';
    lockButton.addEventListener('click', () => toggleLock(lockButton));
    const lockError = el('span', 'form-error');
    lockError.id = 'lock-error';
    lockError.setAttribute('role', 'alert');
    meta.append(' | ', lockButton, ' ', lockError);
  }
  setLocked(!!thread.locked);

  const bodyEl = document.getElementById('thread-body');
  if (thread.body && thread.body.trim()) bodyEl.append(renderBody(thread.body));
  else bodyEl.hidden = true;
}

function updateCommentCount() {
  const countEl = document.getElementById('comment-count');
  // The thread's full count, not what is loaded so far.
  if (countEl) countEl.textContent = plural(Math.max(Number(thread.commentCount) || 0, targetSeq), 'comment');
}

function setThreadPoints(points) {
  thread.points = Number(points) || 0;
  document.getElementById('thread-points').textContent = plural(thread.points, 'point');
}

/** A locked thread takes no new comments: forms and reply links go (CSS keys off .locked). */
function setLocked(locked) {
  thread.locked = !!locked;
  threadEl.classList.toggle('locked', thread.locked);
  document.getElementById('locked-notice').hidden = !thread.locked;
  const lockButton = document.getElementById('lock-toggle');
  if (lockButton) lockButton.textContent = thread.locked ? 'unlock' : 'lock';
}

async function toggleLock(button) {
  button.disabled = true;
  const error = document.getElementById('lock-error');
  error.textContent = '';
  try {
    const info = await api(thread.locked ? 'DELETE' : 'POST', `/api/threads/${threadId}/lock`);
    setLocked(info?.locked);
  } catch (e) {
    error.textContent = e.message;
  } finally {
    button.disabled = false;
  }
}

function setViewers(count) {
  const n = Number(count);
  if (Number.isFinite(n)) viewersEl.textContent = `${n} reading now`;
}

// ---------------------------------------------------------------------------------------------
// Test hooks

function setConnectionState(state) {
  document.body.dataset.connection = state;
  // The banner is for losing a connection we had (or never getting one); hide it once connected.
  bannerEl.hidden = state === 'connected' || !hadFirstAttempt || gaveUp;
}

function setLastSeq(seq) {
  lastSeq = seq;
  document.body.dataset.lastSeq = String(seq);
}

// ---------------------------------------------------------------------------------------------
// Serialized comment processing

/** Runs `fn` after everything queued before it; errors are logged, never break the chain. */
function enqueue(fn) {
  chain = chain.then(fn).catch(e => console.error('comment processing failed', e));
  return chain;
}

/** Process a batch of comments (any order, possibly overlapping what we have). Run via enqueue. */
async function applyComments(comments, knownLastSeq = 0) {
  take(comments, knownLastSeq);
  drain();
  await loadWanted();
}

/** Keeps what is new in `pending` and learns how far the thread goes. */
function take(comments, knownLastSeq = 0) {
  let target = Math.max(targetSeq, knownLastSeq);
  for (const c of comments ?? []) {
    if (!c || !(c.seq > lastSeq) || shown.has(c.seq)) continue;
    if (!pending.has(c.seq)) pending.set(c.seq, c);
    if (c.seq > target) target = c.seq;
  }
  if (target > targetSeq) {
    targetSeq = target;
    updateCommentCount();
  }
}

/** Render every pending comment that continues the contiguous run, then replies to what is shown. */
function drain() {
  // New top-level comments go into the page in one append, not one layout invalidation each.
  const fragment = document.createDocumentFragment();
  let seq = lastSeq;
  for (;;) {
    const c = pending.get(seq + 1);
    if (c) {
      pending.delete(seq + 1);
      renderComment(c, fragment);
    } else if (!shown.has(seq + 1)) {
      break;
    }
    seq++;
  }
  commentsEl.append(fragment);
  if (seq !== lastSeq) setLastSeq(seq);
  // Anything at or below lastSeq can no longer be rendered (duplicates); forget it.
  for (const s of pending.keys()) if (s <= lastSeq) pending.delete(s);

  if (pending.size > 0) {
    const held = [...pending.keys()].sort((a, b) => a - b);
    // A live reply to a comment the reader can see belongs under it now, not pages later; pages
    // are in seq order, so whatever they bring later is placed before it among its siblings.
    for (const s of held) {
      const c = pending.get(s);
      if (c.parentSeq > 0 && shown.has(c.parentSeq)) {
        pending.delete(s);
        renderComment(c);
      }
    }
    // A reader who stays on the first pages of a busy thread must not collect all of it in
    // memory: drop the furthest; they are still below targetSeq, so their page brings them.
    if (pending.size > MAX_HELD) {
      for (const s of [...pending.keys()].sort((a, b) => a - b).slice(MAX_HELD)) pending.delete(s);
    }
  }
  updateMore();
}

/**
 * Does the reader want the next page now? When they asked (scrolling near the end, "load more", a
 * permalink further down), and always for a small rest: a live gap or the last page costs one read.
 */
function wantsMore() {
  return lastSeq < targetSeq && (lastSeq < wantUpTo || targetSeq - lastSeq <= PAGE_SIZE);
}

/** Fetch pages after lastSeq over HTTP while the reader wants them. Run via enqueue. */
async function loadWanted() {
  try {
    while (wantsMore()) {
      const before = lastSeq;
      setLoadingMore(true);
      const limit = hashSeq - lastSeq > PAGE_SIZE ? JUMP_PAGE_SIZE : PAGE_SIZE;
      const page = await api('GET', `/api/threads/${threadId}/comments?after=${lastSeq}&limit=${limit}`);
      take(page);
      drain();
      if (lastSeq === before) break; // the server has nothing newer (yet): retry later
    }
  } catch (e) {
    console.warn('loading comments failed', e);
  } finally {
    setLoadingMore(false);
  }
  if (wantsMore()) scheduleGapRetry();
  if (hashSeq && shown.has(hashSeq)) highlightHash(true);
  // Still near the end after this page (a short page, a tall window)? The observer says so again.
  if (lastSeq < targetSeq && moreObserver) {
    moreObserver.unobserve(moreEl);
    moreObserver.observe(moreEl);
  }
}

/** The reader scrolled near the end, or pressed "load more": one more page. */
function requestMore(fromScrolling) {
  enqueue(() => {
    if (fromScrolling) {
      if (!moreNear) return;
      moreNear = false; // until the observer has seen this page's layout (loadWanted asks it again)
    }
    if (lastSeq >= targetSeq) return;
    wantUpTo = Math.max(wantUpTo, lastSeq + PAGE_SIZE);
    return loadWanted();
  });
}

function setupPaging() {
  // Starts loading before the end is on screen, so a reader scrolling steadily rarely waits.
  moreObserver = new IntersectionObserver(entries => {
    for (const entry of entries) moreNear = entry.isIntersecting;
    if (moreNear) requestMore(true);
  }, { rootMargin: '0px 0px 1500px 0px' });
  moreObserver.observe(moreEl);
  moreButton.addEventListener('click', () => { if (!loadingMore) requestMore(false); });
}

function setLoadingMore(loading) {
  loadingMore = loading;
  moreButton.setAttribute('aria-busy', String(loading));
  updateMore();
}

/** The "load more" row: shown while some of the thread is not on the page, with how much. */
function updateMore() {
  const notShown = targetSeq - shown.size;
  moreEl.hidden = lastSeq >= targetSeq;
  moreButton.textContent = loadingMore ? 'loading more comments…' : `load more comments (${notShown} more)`;
}

function scheduleGapRetry() {
  if (gapRetryTimer) return;
  gapRetryTimer = setTimeout(() => {
    gapRetryTimer = 0;
    enqueue(() => applyComments([]));
  }, 2000);
}

// ---------------------------------------------------------------------------------------------
// Comment tree

/** Draws c under its parent (or at the end of `topLevel`), in seq order among its siblings. */
function renderComment(c, topLevel = commentsEl) {
  if (shown.has(c.seq)) return; // defensive: never two elements per seq
  if (earlyUpdates.has(c.seq)) {
    // Its update overtook it (e.g. edited while this page was catching up): show the newer one.
    c = earlyUpdates.get(c.seq);
    earlyUpdates.delete(c.seq);
  }

  const node = el('div', 'comment');
  node.id = 'c' + c.seq;
  node.dataset.seq = String(c.seq);
  node.dataset.parent = String(c.parentSeq ?? 0);

  const head = el('div', 'comhead');
  const body = el('div', 'body');
  const editArea = el('div', 'edit-area');
  editArea.hidden = true;
  const replyArea = el('div', 'reply-area');
  replyArea.hidden = true;
  const children = el('div', 'children');
  node.append(head, body, editArea, replyArea, children);

  const parent = (c.parentSeq && childrenOf.get(c.parentSeq)) || topLevel;
  // Almost always the last sibling; only a reply drawn early (see drain) has later siblings.
  let before = parent.lastElementChild;
  while (before && Number(before.dataset.seq) > c.seq) before = before.previousElementSibling;
  if (before) before.after(node); else parent.prepend(node);
  endTyping(c.author, Number(c.parentSeq) || 0);
  childrenOf.set(c.seq, children);
  shown.set(c.seq, c);
  fillComment(node, c);
  if (collapsed.has(c.seq)) node.classList.add('collapsed');
  refreshCollapsedCounts(node);
}

/** (Re)draws a comment's head and body from `c`; its forms and replies are left alone. */
function fillComment(node, c) {
  const head = node.querySelector(':scope > .comhead');
  const body = node.querySelector(':scope > .body');
  // Keep keyboard focus on the same control across a redraw (a vote arriving while tabbing).
  const focusedClass = head.contains(document.activeElement) ? document.activeElement.classList[0] : null;
  node.classList.toggle('deleted', !!c.deleted);
  // Hidden by a moderator: CSS removes it, or keeps a stub while it still has visible replies.
  node.classList.toggle('moderated', !!c.hidden);
  if (c.hidden) c = { ...c, deleted: true };
  const mine = !!me && !c.deleted && c.author === me.userName;

  const parts = [];
  const vote = c.deleted ? null : voteControl(c.seq, c.author);
  if (vote) parts.push(vote, ' ');
  if (c.hidden) {
    parts.push(el('span', 'author deleted-mark', '[hidden]'));
  } else if (c.deleted) {
    parts.push(el('span', 'author deleted-mark', '[deleted]'));
  } else {
    parts.push(authorLink(c.author));
  }
  parts.push(' ', timeElement(c.createdAt));
  if (c.editedAt && !c.deleted) {
    const edited = el('span', 'edited', 'edited');
    edited.title = 'edited ' + c.editedAt;
    parts.push(' ', edited);
  }
  if (!c.deleted) parts.push(' | ', el('span', 'points', plural(Number(c.points) || 0, 'point')));

  const link = el('a', 'permalink', 'link');
  link.href = '#c' + c.seq;
  parts.push(' | ', link);

  const collapse = el('button', 'linkish collapse-toggle');
  collapse.type = 'button';
  collapse.addEventListener('click', () => toggleCollapsed(node));
  parts.push(' ', collapse);

  if (!c.deleted) {
    const replyButton = el('button', 'linkish reply-toggle', 'reply');
    replyButton.type = 'button';
    const replyArea = node.querySelector(':scope > .reply-area');
    replyButton.setAttribute('aria-expanded', String(!replyArea.hidden));
    replyButton.addEventListener('click', () => toggleReply(shown.get(c.seq), replyButton, replyArea));
    parts.push(' | ', replyButton);
  }
  if (mine) {
    const editButton = el('button', 'linkish edit-toggle', 'edit');
    editButton.type = 'button';
    const editArea = node.querySelector(':scope > .edit-area');
    editButton.setAttribute('aria-expanded', String(!editArea.hidden));
    editButton.addEventListener('click', () => toggleEdit(c.seq, editButton, editArea));
    const deleteButton = el('button', 'linkish delete-button', 'delete');
    deleteButton.type = 'button';
    deleteButton.addEventListener('click', () => confirmDelete(c.seq, deleteButton));
    parts.push(' | ', editButton, ' | ', deleteButton);
  }
  if (me?.moderator && !c.hidden) {
    const hideButton = el('button', 'linkish hide-button', 'hide');
    hideButton.type = 'button';
    hideButton.addEventListener('click', () => hideComment(c.seq, hideButton));
    parts.push(' | ', hideButton);
  }
  const error = el('span', 'form-error comment-error');
  error.setAttribute('role', 'alert');
  parts.push(' ', error);
  head.replaceChildren(...parts);
  updateCollapseLabel(node);

  if (c.deleted) {
    body.replaceChildren(el('p', 'deleted-body', c.hidden ? '[hidden by a moderator]' : '[deleted]'));
    node.querySelector(':scope > .edit-area').hidden = true;
    node.querySelector(':scope > .reply-area').hidden = true;
  } else {
    body.replaceChildren(renderBody(c.body));
  }
  if (focusedClass) head.querySelector('.' + focusedClass)?.focus();
}

async function hideComment(seq, button) {
  button.disabled = true;
  try {
    applyUpdates([await api('POST', `/api/threads/${threadId}/comments/${seq}/hide`)]);
  } catch (e) {
    button.disabled = false;
    showCommentError(seq, e.message);
  }
}

function authorLink(name) {
  const a = el('a', 'author', name);
  a.href = '/u/' + encodeURIComponent(name);
  return a;
}

// ---------------------------------------------------------------------------------------------
// Updates (edits, deletes, points): the same seq, redrawn in place

function applyUpdates(updates) {
  for (const c of updates ?? []) {
    if (!c || !(c.seq > 0)) continue;
    const node = document.getElementById('c' + c.seq);
    if (node && shown.has(c.seq)) {
      shown.set(c.seq, c);
      fillComment(node, c);
    } else if (pending.has(c.seq)) {
      pending.set(c.seq, c);
    } else {
      earlyUpdates.delete(c.seq);
      earlyUpdates.set(c.seq, c);
      // Only an update racing a page in flight matters: a page read later is at least as new.
      if (earlyUpdates.size > MAX_HELD) earlyUpdates.delete(earlyUpdates.keys().next().value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Votes

async function loadMyVotes() {
  try {
    const result = await api('GET', `/api/threads/${threadId}/votes/mine`);
    for (const seq of result?.seqs ?? []) myVotes.add(Number(seq));
  } catch (e) {
    console.warn('reading my votes failed', e);
  }
}

/** The up-vote arrow for seq (0 = the thread), or null where there is nothing to vote (own posts). */
function voteControl(seq, author) {
  if (!me) {
    const a = el('a', 'vote', '▲');
    a.href = loginHref('/t/' + threadId + (seq ? '#c' + seq : ''));
    a.title = 'login to vote';
    a.setAttribute('aria-label', 'login to vote');
    return a;
  }
  if (author === me.userName) return null;
  const voted = myVotes.has(seq);
  const button = el('button', 'vote' + (voted ? ' voted' : ''), '▲');
  button.type = 'button';
  button.setAttribute('aria-label', voted ? 'take back your vote' : 'upvote');
  button.setAttribute('aria-pressed', String(voted));
  button.title = voted ? 'unvote' : 'upvote';
  button.addEventListener('click', () => vote(seq, !myVotes.has(seq), button));
  return button;
}

const votesInFlight = new Set();

async function vote(seq, up, button) {
  // Not `disabled`: a disabled button drops keyboard focus, and the arrow should keep it.
  if (votesInFlight.has(seq)) return;
  votesInFlight.add(seq);
  button.setAttribute('aria-busy', 'true');
  try {
    const result = connection && connection.state === signalR.HubConnectionState.Connected
      ? await connection.invoke('Vote', threadId, seq, up)
      : await api(up ? 'POST' : 'DELETE', seq === 0 ? `/api/threads/${threadId}/votes` : `/api/threads/${threadId}/comments/${seq}/vote`);
    if (up) myVotes.add(seq); else myVotes.delete(seq);
    if (seq === 0) {
      setThreadPoints(result.points);
      const fresh = voteControl(0, thread.author);
      const hadFocus = document.activeElement === button;
      button.replaceWith(fresh);
      if (hadFocus) fresh.focus();
    } else {
      const c = shown.get(seq);
      // The `updates` push brings the same figure; drawing it now makes the click feel instant.
      if (c) applyUpdates([{ ...c, points: result.points }]);
    }
  } catch (err) {
    showCommentError(seq, readableError(err));
  } finally {
    votesInFlight.delete(seq);
    button.removeAttribute('aria-busy');
  }
}

function showCommentError(seq, text) {
  const target = seq === 0 ? document.getElementById('comment-error')
    : document.querySelector(`#c${seq} > .comhead .comment-error`);
  if (target) target.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Edit and delete (own comments)

function toggleEdit(seq, button, area) {
  const open = area.hidden;
  area.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (!open) return;
  area.replaceChildren();
  const c = shown.get(seq);
  const form = el('form', 'edit-form');
  form.noValidate = true;
  const textarea = el('textarea', 'edit-text');
  textarea.rows = 4;
  textarea.value = c.body;
  textarea.setAttribute('aria-label', 'Edit your comment');
  const save = el('button', 'edit-submit', 'save');
  save.type = 'submit';
  const cancel = el('button', 'linkish edit-cancel', 'cancel');
  cancel.type = 'button';
  const error = el('span', 'form-error');
  error.setAttribute('role', 'alert');
  const actions = el('div', 'form-actions');
  actions.append(save, ' ', cancel, ' ', error);
  form.append(textarea, actions);
  area.append(form);
  submitOnCtrlEnter(textarea);

  const close = () => {
    area.hidden = true;
    area.replaceChildren();
    const toggle = document.querySelector(`#c${seq} > .comhead .edit-toggle`);
    toggle?.setAttribute('aria-expanded', 'false');
    toggle?.focus();
  };
  cancel.addEventListener('click', close);
  textarea.addEventListener('keydown', e => {
    if (e.key === 'Escape') { e.preventDefault(); close(); }
  });
  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (save.disabled) return;
    save.disabled = true;
    error.textContent = '';
    try {
      const updated = connection && connection.state === signalR.HubConnectionState.Connected
        ? await connection.invoke('EditComment', threadId, seq, textarea.value)
        : await api('PUT', `/api/threads/${threadId}/comments/${seq}`, { body: textarea.value });
      applyUpdates([updated]);
      close();
    } catch (err) {
      error.textContent = readableError(err);
      save.disabled = false;
    }
  });
  textarea.focus();
}

/** Two steps (no blocking dialog): "delete" becomes "really delete?", a second press deletes. */
async function confirmDelete(seq, button) {
  if (button.dataset.confirm !== '1') {
    button.dataset.confirm = '1';
    button.textContent = 'really delete?';
    return;
  }
  button.disabled = true;
  try {
    const updated = connection && connection.state === signalR.HubConnectionState.Connected
      ? await connection.invoke('DeleteComment', threadId, seq)
      : await api('DELETE', `/api/threads/${threadId}/comments/${seq}`);
    applyUpdates([updated]);
  } catch (err) {
    button.disabled = false;
    showCommentError(seq, readableError(err));
  }
}

// ---------------------------------------------------------------------------------------------
// Collapse: "[-]" hides a comment's body and replies, "[+N]" says how many comments are hidden

function readCollapsed() {
  try {
    const value = JSON.parse(sessionStorage.getItem(collapsedKey) ?? '[]');
    return Array.isArray(value) ? value.map(Number).filter(n => n > 0) : [];
  } catch {
    return [];
  }
}

function toggleCollapsed(node) {
  const seq = Number(node.dataset.seq);
  const now = !node.classList.contains('collapsed');
  node.classList.toggle('collapsed', now);
  if (now) collapsed.add(seq); else collapsed.delete(seq);
  try { sessionStorage.setItem(collapsedKey, JSON.stringify([...collapsed])); } catch { /* private mode: not remembered */ }
  updateCollapseLabel(node);
}

function updateCollapseLabel(node) {
  const button = node.querySelector(':scope > .comhead .collapse-toggle');
  if (!button) return;
  const isCollapsed = node.classList.contains('collapsed');
  const hidden = node.querySelectorAll(':scope > .children .comment').length;
  button.textContent = isCollapsed ? `[+${hidden}]` : '[-]';
  button.setAttribute('aria-expanded', String(!isCollapsed));
  button.setAttribute('aria-label', isCollapsed
    ? `expand: ${hidden} ${hidden === 1 ? 'reply' : 'replies'} hidden`
    : 'collapse this comment and its replies');
}

/** A new reply changes the hidden count of every collapsed comment above it. */
function refreshCollapsedCounts(node) {
  for (let p = node.parentElement?.closest('.comment'); p; p = p.parentElement?.closest('.comment')) {
    if (p.classList.contains('collapsed')) updateCollapseLabel(p);
  }
}

function toggleReply(c, button, area) {
  const open = area.hidden;
  area.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (!open) return;

  if (!area.firstChild) buildReplyForm(c, button, area);
  area.querySelector('textarea')?.focus();
}

function buildReplyForm(c, toggle, area) {
  if (!me) {
    const p = el('p', 'login-to-comment');
    const a = el('a', '', 'login to reply');
    a.href = loginHref('/t/' + threadId + '#c' + c.seq);
    p.append(a);
    area.append(p);
    return;
  }

  const form = el('form', 'reply-form');
  form.noValidate = true;
  const textarea = el('textarea', 'reply-text');
  textarea.rows = 4;
  textarea.setAttribute('aria-label', `Reply to ${c.author}`);
  const actions = el('div', 'form-actions');
  const submit = el('button', 'reply-submit', 'reply');
  submit.type = 'submit';
  const cancel = el('button', 'linkish reply-cancel', 'cancel');
  cancel.type = 'button';
  const error = el('span', 'form-error');
  error.setAttribute('role', 'alert');
  actions.append(submit, ' ', cancel, ' ', error);
  form.append(textarea, actions);
  area.append(form);

  const close = () => {
    area.hidden = true;
    // The head may have been redrawn (an update) since the form opened: find its button anew.
    const current = document.querySelector(`#c${c.seq} > .comhead .reply-toggle`) ?? toggle;
    current.setAttribute('aria-expanded', 'false');
    current.focus();
  };
  cancel.addEventListener('click', close);
  textarea.addEventListener('keydown', e => {
    if (e.key === 'Escape') { e.preventDefault(); close(); }
  });
  wirePostForm(form, textarea, submit, error, c.seq, () => {
    textarea.value = '';
    close();
  });
}

// ---------------------------------------------------------------------------------------------
// Posting

function setupCommentForm() {
  const form = document.getElementById('comment-form');
  if (!me) {
    document.getElementById('login-to-comment-link').href = loginHref('/t/' + threadId);
    document.getElementById('login-to-comment').hidden = false;
    return;
  }
  form.hidden = false;
  const textarea = document.getElementById('comment-text');
  const error = document.getElementById('comment-error');
  const posted = el('span', 'comment-posted');
  posted.id = 'comment-posted';
  posted.setAttribute('role', 'status');
  error.after(posted);
  wirePostForm(form, textarea, document.getElementById('comment-submit'), error, 0, result => {
    textarea.value = '';
    // A new top-level comment goes at the very end: in a big thread that is pages below what is
    // loaded, so say where it went rather than leave the poster wondering.
    const seq = Number(result?.seq) || 0;
    posted.replaceChildren();
    if (seq - lastSeq > PAGE_SIZE) {
      const link = el('a', '', 'view your comment');
      link.href = '#c' + seq;
      posted.append('Posted at the end of the thread: ', link);
    }
  });
}

/**
 * Posting a comment. The clientId is created once per submission attempt and kept across
 * retries after an error, so a post that reached the server but whose reply was lost is not
 * stored twice. The comment itself is rendered when its push arrives, not from the response.
 */
function wirePostForm(form, textarea, button, errorEl, parentSeq, onSuccess) {
  let clientId = null;
  let inFlight = false;
  submitOnCtrlEnter(textarea);
  textarea.addEventListener('input', () => sendTyping(parentSeq));

  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (inFlight) return; // Ctrl+Enter bypasses the disabled button
    inFlight = true;
    button.disabled = true;
    errorEl.textContent = '';
    clientId ??= newClientId();
    try {
      const result = await postComment(parentSeq, textarea.value, clientId);
      clientId = null;
      onSuccess(result);
    } catch (err) {
      errorEl.textContent = readableError(err);
    } finally {
      inFlight = false;
      button.disabled = false;
    }
  });
}

async function postComment(parentSeq, body, clientId) {
  if (connection && connection.state === signalR.HubConnectionState.Connected) {
    return connection.invoke('PostComment', threadId, parentSeq, body, clientId);
  }
  // Not connected right now: the HTTP endpoint does the same thing (same clientId dedup),
  // and the comment will show up through the catch-up on re-join.
  return api('POST', `/api/threads/${threadId}/comments`, { parentSeq, body, clientId });
}

/** SignalR wraps hub errors as "An unexpected error occurred invoking ... HubException: <text>". */
function readableError(err) {
  const message = (err && err.message) || String(err);
  const marker = 'HubException: ';
  const i = message.indexOf(marker);
  return i >= 0 ? message.slice(i + marker.length) : message;
}

// ---------------------------------------------------------------------------------------------
// Connection

function connect() {
  // The page's one connection, shared with the header's inbox count (live.js).
  connection = hubConnection();

  // Registered before start() so no push can be missed.
  connection.on('comments', (id, comments) => {
    if (id !== threadId) return;
    if (joining) bufferedPushes.push(comments);
    else enqueue(() => applyComments(comments));
  });
  // Changed comments (edit, delete, points) under their old seq: not part of the seq sequence.
  connection.on('updates', (id, updates) => {
    if (id === threadId) enqueue(() => applyUpdates(updates));
  });
  connection.on('threadPoints', (id, points) => {
    if (id === threadId) whenReady(() => setThreadPoints(points));
  });
  connection.on('viewers', (id, count) => {
    if (id === threadId) setViewers(count);
  });
  connection.on('threadLocked', (id, locked) => {
    if (id === threadId) whenReady(() => setLocked(locked));
  });
  connection.on('typing', (id, userName, parentSeq) => {
    if (id === threadId) showTyping(String(userName), Number(parentSeq) || 0);
  });

  // The web node is shutting down: drop this connection and connect again at once (the load
  // balancer picks another node), rejoining with lastSeq so nothing is missed.
  connection.on('reconnect', () => {
    reconnectNow = true;
    connection.stop();
  });

  connection.onreconnecting(() => setConnectionState('reconnecting'));
  connection.onreconnected(async () => {
    // A new connection has no group membership: join again and fetch exactly what we missed.
    try {
      await join();
      setConnectionState('connected');
    } catch (e) {
      console.warn('re-join failed', e);
      connection.stop(); // onclose takes over and retries
    }
  });
  connection.onclose(() => {
    setConnectionState('disconnected');
    scheduleRestart(reconnectNow ? 0 : 3000);
    reconnectNow = false;
  });

  startAndJoin();
}

/** Start the connection and join the thread; on failure keep retrying every few seconds. */
async function startAndJoin() {
  if (gaveUp) return;
  try {
    await startHub();
  } catch (e) {
    console.warn('connecting failed', e);
    hadFirstAttempt = true;
    setConnectionState('disconnected');
    scheduleRestart();
    return;
  }
  hadFirstAttempt = true;
  try {
    await found;
    await join();
    setConnectionState('connected');
    scrollToHashOnce();
  } catch (e) {
    console.warn('joining failed', e);
    connection.stop(); // onclose schedules the next attempt
  }
}

function scheduleRestart(delay = 3000) {
  if (restartTimer || gaveUp) return;
  restartTimer = setTimeout(() => {
    restartTimer = 0;
    startAndJoin();
  }, delay);
}

/**
 * JoinThread(threadId, lastSeq): returns comments after lastSeq (at most 500) plus the thread's
 * lastSeq; the rest comes page by page as the reader scrolls (loadWanted). Pushes arriving
 * meanwhile are buffered and processed after the join result, so they normally need no extra fetch.
 * Resolves once that first page is rendered.
 */
async function join() {
  joining = true;
  bufferedPushes = [];
  let result;
  try {
    result = await connection.invoke('JoinThread', threadId, lastSeq);
  } finally {
    // Hand buffered pushes to the chain synchronously, in arrival order, before any later push.
    const pushes = bufferedPushes;
    bufferedPushes = [];
    joining = false;
    enqueue(async () => {
      if (result) await applyComments(result.comments, Number(result.lastSeq) || 0);
      for (const batch of pushes) await applyComments(batch);
    });
  }
  setViewers(result.viewers);
  await chain;
  if (joinedOnce) enqueue(refreshShown);
  joinedOnce = true;
}

/**
 * After a reconnect: JoinThread only returns seqs after ours, so edits, deletes and points pushed
 * while we were away are missing. Re-read what the page shows and redraw only what changed.
 */
async function refreshShown() {
  let upTo = lastSeq;
  for (const seq of shown.keys()) if (seq > upTo) upTo = seq; // replies drawn ahead of the pages
  let after = 0;
  try {
    const info = await api('GET', '/api/threads/' + threadId);
    setThreadPoints(info?.points);
    setLocked(info?.locked);
    while (after < upTo) {
      const page = await api('GET', `/api/threads/${threadId}/comments?after=${after}&limit=1000`);
      if (!Array.isArray(page) || page.length === 0) break;
      applyUpdates(page.filter(c => shown.has(c.seq) && differs(shown.get(c.seq), c)));
      after = page[page.length - 1].seq;
    }
  } catch (e) {
    console.warn('refreshing comments after a reconnect failed', e);
  }
}

function differs(a, b) {
  return !a || a.body !== b.body || a.author !== b.author || !!a.deleted !== !!b.deleted || !!a.hidden !== !!b.hidden
    || (a.editedAt ?? null) !== (b.editedAt ?? null) || (Number(a.points) || 0) !== (Number(b.points) || 0);
}

/** The page was opened at /t/{id}#c{seq}: the target only exists once comments are rendered. */
function scrollToHashOnce() {
  if (scrolledToHash) return;
  scrolledToHash = true;
  highlightHash(true);
}

/** Highlights the comment the address points at (#c{seq}), opening collapsed comments above it. */
function highlightHash(scroll) {
  for (const old of document.querySelectorAll('.comment.highlight')) old.classList.remove('highlight', 'target');
  hashSeq = 0;
  if (!/^#c\d+$/.test(location.hash)) return;
  const target = document.getElementById(location.hash.slice(1));
  if (!target) {
    // Not loaded yet: load the pages up to it; loadWanted comes back here once it is drawn.
    const seq = Number(location.hash.slice(2));
    if (seq > lastSeq) {
      hashSeq = seq;
      wantUpTo = Math.max(wantUpTo, seq);
      enqueue(loadWanted);
    }
    return;
  }
  for (let p = target.parentElement?.closest('.comment.collapsed'); p; p = p.parentElement?.closest('.comment.collapsed')) {
    toggleCollapsed(p);
  }
  target.classList.add('highlight', 'target');
  if (scroll) target.scrollIntoView({ block: 'center' });
}

// ---------------------------------------------------------------------------------------------
// Typing: "alice is replying..." under the comment being replied to. Never stored: the server
// passes signals on (throttled) and each page forgets a typist a few seconds after the last one.

const TYPING_SEND_EVERY_MS = 3000;
const TYPING_SHOWN_FOR_MS = 6000;
const typingSentAt = new Map();  // parentSeq -> when this page last said we are typing there
const typists = new Map();       // parentSeq -> Map(userName -> expiry timer)

function sendTyping(parentSeq) {
  if (!me || thread.locked || !connection || connection.state !== signalR.HubConnectionState.Connected) return;
  const now = Date.now();
  if (now - (typingSentAt.get(parentSeq) ?? 0) < TYPING_SEND_EVERY_MS) return;
  typingSentAt.set(parentSeq, now);
  connection.invoke('Typing', threadId, parentSeq).catch(e => console.warn('typing signal failed', e));
}

function showTyping(userName, parentSeq) {
  if (!userName || userName === me?.userName) return;
  if (!typists.has(parentSeq)) typists.set(parentSeq, new Map());
  const users = typists.get(parentSeq);
  clearTimeout(users.get(userName));
  users.set(userName, setTimeout(() => endTyping(userName, parentSeq), TYPING_SHOWN_FOR_MS));
  renderTyping(parentSeq);
}

function endTyping(userName, parentSeq) {
  const users = typists.get(parentSeq);
  if (!users || !users.has(userName)) return;
  clearTimeout(users.get(userName));
  users.delete(userName);
  renderTyping(parentSeq);
}

function renderTyping(parentSeq) {
  const names = [...(typists.get(parentSeq)?.keys() ?? [])];
  let line = parentSeq === 0
    ? document.getElementById('typing-top')
    : document.querySelector(`#c${parentSeq} > .typing`);
  if (!line && parentSeq !== 0) {
    const node = document.getElementById('c' + parentSeq);
    if (!node || names.length === 0) return;
    line = el('p', 'typing');
    line.setAttribute('aria-live', 'polite');
    node.querySelector(':scope > .children').before(line);
  }
  if (!line) return;
  const verb = parentSeq === 0 ? 'commenting' : 'replying';
  line.textContent = names.length === 0 ? ''
    : names.length === 1 ? `${names[0]} is ${verb}…`
    : names.length === 2 ? `${names[0]} and ${names[1]} are ${verb}…`
    : `${names.length} people are ${verb}…`;
  line.hidden = names.length === 0;
}
