// The comment tree: each comment drawn once under its parent, in seq order among its siblings,
// and redrawn in place when it changes. Which comments to draw, and when, is sequence.js's call.

import { api, el, plural, timeElement, loginHref } from '../api.js';
import { renderBody } from '../format.js';
import { deleteComment, hideComment, vote, readableError } from './actions.js';
import { applyCollapse, toggleCollapsed, updateCollapseLabel } from './collapse.js';
import { keepingReadersPlace } from './anchor.js';
import { toggleEdit, toggleReply } from './forms.js';
import { updateCommentCount } from './header.js';
import { endTyping } from './typing.js';
import { showNewLabel, watchReading } from './unread.js';
import { flagControl } from './flag.js';
import { editedControl } from './history.js';
import { isMuted, mutedControls, quietControl } from './controls.js';

/**
 * Draws comments the sequence released, in its order. New top-level comments go into the page in
 * one append, not one layout invalidation each.
 */
export function drawComments(page, comments) {
  if (comments.length === 0) return;
  keepingReadersPlace(() => {
    const fragment = document.createDocumentFragment();
    for (const c of comments) drawComment(page, c, fragment);
    document.getElementById('comments').append(fragment);
  });
}

/** Changed comments (edit, delete, hide, points): the drawn ones are redrawn in place. */
export function applyUpdates(page, updates) {
  const countBefore = page.sequence.visibleCount;
  for (const c of page.sequence.update(updates)) {
    const node = document.getElementById('c' + c.seq);
    if (node) fillComment(page, node, c);
  }
  if (page.sequence.visibleCount !== countBefore) updateCommentCount(page);
  if (page.sequence.countUnsure) recountFromServer(page);
}

/** An update the page could not count: the server's figure, read once however many such updates come. */
async function recountFromServer(page) {
  if (page.recounting) return;
  page.recounting = true;
  try {
    const thread = await api('GET', '/api/threads/' + encodeURIComponent(page.threadId));
    page.sequence.recount(thread.commentCount, thread.lastSeq);
    updateCommentCount(page);
  } catch { /* the next unsure update asks again */ } finally {
    page.recounting = false;
  }
}

/** Redraws every drawn comment as it is (the reader's mutes changed). */
export function redrawAll(page) {
  for (const node of document.querySelectorAll('#comments .comment')) {
    const c = page.sequence.get(Number(node.dataset.seq));
    if (c) fillComment(page, node, c);
  }
}

/** Draws c under its parent (or at the end of `topLevel`), in seq order among its siblings. */
function drawComment(page, c, topLevel) {
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

  // 'seq' and 'end' (a page's comments, in their order) batch new top-level comments in `topLevel`;
  // 'live' ones (another order's pushes) go straight to their place among the drawn ones.
  const placing = page.sequence.placing(c);
  const parent = (c.parentSeq && page.childrenOf.get(c.parentSeq)) || (placing === 'live' ? document.getElementById('comments') : topLevel);
  if (placing === 'end') {
    parent.append(node);
  } else {
    // Almost always the last sibling; only a reply drawn early (see sequence.js) has later siblings.
    let before = parent.lastElementChild;
    while (before && page.sequence.comesBefore(c, Number(before.dataset.seq))) before = before.previousElementSibling;
    if (before) before.after(node); else parent.prepend(node);
  }
  endTyping(page, c.author, Number(c.parentSeq) || 0);
  page.childrenOf.set(c.seq, children);
  fillComment(page, node, c);
  applyCollapse(page, node, c.seq);
  watchReading(page, node, c);
}

/** (Re)draws a comment's head and body from `c`; its forms and replies are left alone. */
function fillComment(page, node, c) {
  const { me } = page;
  const head = node.querySelector(':scope > .comhead');
  const body = node.querySelector(':scope > .body');
  const editArea = node.querySelector(':scope > .edit-area');
  const replyArea = node.querySelector(':scope > .reply-area');
  // Keep keyboard focus on the same control across a redraw (a vote arriving while tabbing).
  const focusedClass = head.contains(document.activeElement) ? document.activeElement.classList[0] : null;
  node.classList.toggle('deleted', !!c.deleted);
  // Hidden by a moderator: CSS removes it, or keeps a stub while it still has visible replies.
  node.classList.toggle('moderated', !!c.hidden);
  if (c.hidden) c = { ...c, deleted: true };
  // Someone the reader muted: collapsed to its head, "[muted] show", on every page and in live pushes.
  const muted = !c.deleted && isMuted(page, c);
  node.classList.toggle('muted', muted);
  const seq = c.seq;
  const mine = !!me && !c.deleted && c.author === me.userName;

  const parts = [];
  const vote = c.deleted ? null : voteControl(page, seq, c.author, result => {
    // The `updates` push brings the same figure; drawing it now makes the click feel instant.
    const shown = page.sequence.get(seq);
    if (shown) applyUpdates(page, [{ ...shown, points: result.points }]);
  });
  if (vote) parts.push(vote, ' ');
  if (c.hidden) {
    parts.push(el('span', 'author deleted-mark', '[hidden]'));
  } else if (c.deleted) {
    parts.push(el('span', 'author deleted-mark', '[deleted]'));
  } else if (muted) {
    parts.push(...mutedControls(page, c, () => fillComment(page, node, page.sequence.get(seq) ?? c)));
  } else {
    parts.push(authorLink(c.author));
  }
  parts.push(' ', timeElement(c.createdAt));
  if (c.editedAt && !c.deleted) parts.push(' ', editedControl(page, node, c));
  if (!c.deleted) parts.push(' | ', el('span', 'points', plural(Number(c.points) || 0, 'point')));

  const link = el('a', 'permalink', 'link');
  link.href = '#c' + seq;
  parts.push(' | ', link);
  parts.push(' ', linkButton('collapse-toggle', '', () => toggleCollapsed(page, node)));

  if (!c.deleted) {
    const reply = linkButton('reply-toggle', 'reply', () => toggleReply(page, page.sequence.get(seq), reply, replyArea));
    reply.setAttribute('aria-expanded', String(!replyArea.hidden));
    parts.push(' | ', reply);
  }
  if (mine) {
    const edit = linkButton('edit-toggle', 'edit', () => toggleEdit(page, seq, edit, editArea, updated => applyUpdates(page, [updated])));
    edit.setAttribute('aria-expanded', String(!editArea.hidden));
    const del = linkButton('delete-button', 'delete', () => confirmDelete(page, seq, del));
    parts.push(' | ', edit, ' | ', del, ' | ', quietControl(page, seq));
  }
  if (me && !c.deleted && !mine) parts.push(' | ', flagControl(page, seq));
  if (me?.moderator && !c.hidden) {
    const hide = linkButton('hide-button', 'hide', () => hideByModerator(page, seq, hide));
    parts.push(' | ', hide);
  }
  const error = el('span', 'form-error comment-error');
  error.setAttribute('role', 'alert');
  parts.push(' ', error);
  head.replaceChildren(...parts);
  showNewLabel(page, node, c);
  updateCollapseLabel(node);

  if (c.deleted) {
    body.replaceChildren(el('p', 'deleted-body', c.hidden ? '[hidden by a moderator]' : '[deleted]'));
    const history = node.querySelector(':scope > .history');
    if (history) history.hidden = true;
    editArea.hidden = true;
    replyArea.hidden = true;
  } else {
    body.replaceChildren(renderBody(c.body, c.mentions));
  }
  if (focusedClass) head.querySelector('.' + focusedClass)?.focus();
}

function linkButton(className, text, onClick) {
  const b = el('button', 'linkish ' + className, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export function authorLink(name) {
  const a = el('a', 'author', name);
  a.href = '/u/' + encodeURIComponent(name);
  return a;
}

/**
 * The up-vote arrow for seq (0 = the thread), or null where there is nothing to vote (own posts).
 * `onVoted(result, button)` draws the new points.
 */
export function voteControl(page, seq, author, onVoted) {
  if (!page.me) {
    const a = el('a', 'vote', '▲');
    a.href = loginHref('/t/' + page.threadId + (seq ? '#c' + seq : ''));
    a.title = 'login to vote';
    a.setAttribute('aria-label', 'login to vote');
    return a;
  }
  if (author === page.me.userName) return null;
  const voted = page.myVotes.has(seq);
  const arrow = el('button', 'vote' + (voted ? ' voted' : ''), '▲');
  arrow.type = 'button';
  arrow.setAttribute('aria-label', voted ? 'take back your vote' : 'upvote');
  arrow.setAttribute('aria-pressed', String(voted));
  arrow.title = voted ? 'unvote' : 'upvote';
  arrow.addEventListener('click', async () => {
    // Not `disabled`: a disabled button drops keyboard focus, and the arrow should keep it.
    if (page.votesInFlight.has(seq)) return;
    page.votesInFlight.add(seq);
    arrow.setAttribute('aria-busy', 'true');
    try {
      onVoted(await vote(page, seq, !page.myVotes.has(seq)), arrow);
    } catch (err) {
      showCommentError(seq, readableError(err));
    } finally {
      page.votesInFlight.delete(seq);
      arrow.removeAttribute('aria-busy');
    }
  });
  return arrow;
}

/** Two steps (no blocking dialog): "delete" becomes "really delete?", a second press deletes. */
async function confirmDelete(page, seq, button) {
  if (button.dataset.confirm !== '1') {
    button.dataset.confirm = '1';
    button.textContent = 'really delete?';
    return;
  }
  button.disabled = true;
  try {
    applyUpdates(page, [await deleteComment(page, seq)]);
  } catch (err) {
    button.disabled = false;
    showCommentError(seq, readableError(err));
  }
}

async function hideByModerator(page, seq, button) {
  button.disabled = true;
  try {
    applyUpdates(page, [await hideComment(page, seq)]);
  } catch (e) {
    button.disabled = false;
    showCommentError(seq, e.message);
  }
}

function showCommentError(seq, text) {
  const target = seq === 0 ? document.getElementById('comment-error')
    : document.querySelector(`#c${seq} > .comhead .comment-error`);
  if (target) target.textContent = text;
}
