// The thread's header (title, link, points, author, comment count, lock) and the page's status:
// viewers, the connection banner, and the test hooks on <body> (data-connection, data-last-seq).

import { el, safeHttpUrl, domainOf, plural, timeElement } from '../api.js';
import { renderBody } from '../format.js';
import { lockThread } from './actions.js';
import { authorLink, voteControl } from './render.js';
import { followControl } from './controls.js';

export function renderThreadHeader(page) {
  const { thread, threadId } = page;
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
  const vote = threadVoteControl(page);
  if (vote) meta.append(vote, ' ');
  meta.append(points, ' by ', authorLink(thread.author), ' ', timeElement(thread.createdAt), ' | ', count);
  const follow = followControl(page);
  if (follow) meta.append(' | ', follow);
  setThreadPoints(page, thread.points);
  updateCommentCount(page);
  if (page.me?.moderator) {
    const lockButton = el('button', 'linkish lock-toggle');
    lockButton.type = 'button';
    lockButton.id = 'lock-toggle';
    lockButton.addEventListener('click', () => toggleLock(page, lockButton));
    const lockError = el('span', 'form-error');
    lockError.id = 'lock-error';
    lockError.setAttribute('role', 'alert');
    meta.append(' | ', lockButton, ' ', lockError);
  }
  setLocked(page, !!thread.locked);

  const bodyEl = document.getElementById('thread-body');
  if (thread.body && thread.body.trim()) bodyEl.append(renderBody(thread.body));
  else bodyEl.hidden = true;
}

/** The thread's own arrow: a vote redraws it (voted or not), keeping keyboard focus on it. */
function threadVoteControl(page) {
  return voteControl(page, 0, page.thread.author, (result, arrow) => {
    setThreadPoints(page, result.points);
    const fresh = threadVoteControl(page);
    const hadFocus = document.activeElement === arrow;
    arrow.replaceWith(fresh);
    if (hadFocus) fresh.focus();
  });
}

export function showNoSuchThread() {
  document.getElementById('status').textContent = 'No such thread.';
  document.title = 'No such thread | chat';
}

/** The thread's full count of comments a reader can see, not what is loaded so far. */
export function updateCommentCount(page) {
  const countEl = document.getElementById('comment-count');
  if (countEl) countEl.textContent = plural(page.sequence.visibleCount ?? (Number(page.thread.commentCount) || 0), 'comment');
}

export function setThreadPoints(page, points) {
  page.thread.points = Number(points) || 0;
  document.getElementById('thread-points').textContent = plural(page.thread.points, 'point');
}

/** A locked thread takes no new comments: forms and reply links go (CSS keys off .locked). */
export function setLocked(page, locked) {
  page.thread.locked = !!locked;
  document.getElementById('thread').classList.toggle('locked', page.thread.locked);
  document.getElementById('locked-notice').hidden = !page.thread.locked;
  const lockButton = document.getElementById('lock-toggle');
  if (lockButton) lockButton.textContent = page.thread.locked ? 'unlock' : 'lock';
}

async function toggleLock(page, button) {
  button.disabled = true;
  const error = document.getElementById('lock-error');
  error.textContent = '';
  try {
    const info = await lockThread(page, !page.thread.locked);
    setLocked(page, info?.locked);
  } catch (e) {
    error.textContent = e.message;
  } finally {
    button.disabled = false;
  }
}

export function setViewers(count) {
  const n = Number(count);
  if (Number.isFinite(n)) document.getElementById('viewers').textContent = `${n} reading now`;
}

/** For tests and the banner: 'connected', 'reconnecting' or 'disconnected'. */
export function setConnectionState(page, state) {
  document.body.dataset.connection = state;
  // The banner is for losing a connection we had (or never getting one); hide it once connected.
  document.getElementById('connection-banner').hidden = state === 'connected' || !page.live.hadFirstAttempt || page.gaveUp;
}

/** For tests: every seq up to this one is drawn. */
export function showLastSeq(page) {
  document.body.dataset.lastSeq = String(page.sequence.lastSeq);
}
