// Thread page /t/{id}: the entry module. It owns the page's one state object and wires the parts,
// each in js/thread/ with one job:
//   sequence.js  which comments to draw, drop as duplicates or fetch (pure, unit-tested)
//   paging.js    drawing batches in order, the first screen, further pages, permalinks
//   render.js    the comment tree;            header.js  the thread's header and status
//   actions.js   post, edit, delete, vote, hide, lock (the calls);  forms.js  their forms
//   collapse.js  "[-]" / "[+N]";              typing.js  "alice is replying…"
//   joining.js   the thread on the page's one connection (live.js owns its life cycle)
//   announce.js  new comments told to screen readers (a polite live region)
//   unread.js    new since the last visit: "new" labels, "next new comment", the read mark
//   order.js     "top", "new" or "old", remembered;  ordered-sequence.js  the first two's pages and pushes
//   anchor.js    the reader's place kept when comments are drawn above

import { api, ApiError, initHeader, startRelativeTimeRefresh } from './api.js';
import { loadMyVotes } from './thread/actions.js';
import { announcerState } from './thread/announce.js';
import { rememberedCollapsed } from './thread/collapse.js';
import { loadControls } from './thread/controls.js';
import { redrawAll } from './thread/render.js';
import { setupCommentForm } from './thread/forms.js';
import { renderThreadHeader, setConnectionState, showLastSeq, showNoSuchThread } from './thread/header.js';
import { goLive, liveState } from './thread/joining.js';
import { pagingState, setupPaging } from './thread/paging.js';
import { chosenOrder, sequenceFor, setupOrderControl } from './thread/order.js';
import { typingState } from './thread/typing.js';
import { loadReadMark, unreadState } from './thread/unread.js';
import './thread/search-box.js';

const threadId = location.pathname.split('/').filter(Boolean).pop() ?? '';
const order = chosenOrder();

/** Called once the header is drawn and my votes are known: comments are drawn only after that. */
let pageReady;
const ready = new Promise(resolve => { pageReady = resolve; });
/** Resolves with true once GET /api/threads/{id} found the thread (no join of a 404), else false. */
let threadFound;
const found = new Promise(resolve => { threadFound = resolve; });

/** Everything the page knows and holds; the parts get it passed in. */
const page = {
  threadId,
  me: null,        // {userName, moderator} or null
  thread: null,    // GET /api/threads/{id} result
  gaveUp: false,   // no such thread (or it could not be read): no joining, no banner
  isReady: false,
  chain: ready,    // comment processing, one step at a time (paging.js enqueue)
  order,           // 'top', 'new' or 'old' (order.js)
  sequence: sequenceFor(order),
  childrenOf: new Map(),    // seq -> that comment's .children element
  myVotes: new Set(),       // seqs I have up-voted here (0 = the thread)
  votesInFlight: new Set(),
  collapsed: rememberedCollapsed(threadId),
  paging: pagingState(),
  typing: typingState(),
  live: liveState(),
  announcer: announcerState(),
  unread: unreadState(),
};

setConnectionState(page, 'disconnected');
showLastSeq(page);
main();

async function main() {
  if (!/^[a-z0-9]{12}$/.test(threadId)) {
    showNoSuchThread();
    initHeader();
    return;
  }

  // Connect while the user and the thread load, and join as soon as the thread is known to exist,
  // so the first page is on its way sooner; the chain holds it until the page around it is ready.
  goLive(page, found, whenReady);
  const [me, thread] = await Promise.all([
    initHeader(),
    api('GET', '/api/threads/' + threadId).catch(e => e),
  ]);
  page.me = me;

  if (thread instanceof Error) {
    // Never joined (see `found`); the connection itself is the page's, shared with the inbox count.
    page.gaveUp = true;
    threadFound(false);
    setConnectionState(page, 'disconnected');
    if (thread instanceof ApiError && thread.status === 404) showNoSuchThread();
    else document.getElementById('status').textContent = thread.message;
    return;
  }
  page.thread = thread;
  page.sequence.countFrom(thread.commentCount, thread.lastSeq);
  threadFound(true);

  page.redrawAll = () => redrawAll(page);
  if (me) await Promise.all([loadMyVotes(page), loadReadMark(page), loadControls(page)]);
  renderThreadHeader(page);
  setupCommentForm(page);
  setupOrderControl(page);
  setupPaging(page);
  document.getElementById('status').hidden = true;
  document.getElementById('thread').hidden = false;
  startRelativeTimeRefresh();
  page.isReady = true;
  pageReady();
}

/** Pushes that change the header wait until it is drawn: the page connects before that. */
function whenReady(fn) {
  if (page.isReady) fn(); else ready.then(fn);
}
