// What a reader does to a thread, as calls to the server: post, reply, edit, delete, vote, hide,
// lock. No DOM here: callers draw the results. Changes go over the hub while it is connected, else
// over HTTP (viaHubOrHttp); hide and lock are moderators' and HTTP only.

import { api } from '../api.js';
import { viaHubOrHttp } from '../live.js';

/**
 * A new comment (parentSeq 0) or reply. `clientId` makes a retry of the same submission safe:
 * a post that reached the server but whose reply was lost is not stored twice, over either path.
 * The comment itself is drawn when its push (or its page, after a re-join) arrives.
 */
export function postComment(page, parentSeq, body, clientId) {
  return viaHubOrHttp(
    hub => hub.invoke('PostComment', page.threadId, parentSeq, body, clientId),
    () => api('POST', `/api/threads/${page.threadId}/comments`, { parentSeq, body, clientId }));
}

/** Resolves with the edited comment. */
export function editComment(page, seq, body) {
  return viaHubOrHttp(
    hub => hub.invoke('EditComment', page.threadId, seq, body),
    () => api('PUT', `/api/threads/${page.threadId}/comments/${seq}`, { body }));
}

/** Resolves with the deleted comment (its placeholder). */
export function deleteComment(page, seq) {
  return viaHubOrHttp(
    hub => hub.invoke('DeleteComment', page.threadId, seq),
    () => api('DELETE', `/api/threads/${page.threadId}/comments/${seq}`));
}

/** Up-votes (or takes back the vote on) comment `seq`, 0 = the thread; resolves with {points}. */
export async function vote(page, seq, up) {
  const result = await viaHubOrHttp(
    hub => hub.invoke('Vote', page.threadId, seq, up),
    () => api(up ? 'POST' : 'DELETE', seq === 0
      ? `/api/threads/${page.threadId}/votes`
      : `/api/threads/${page.threadId}/comments/${seq}/vote`));
  if (up) page.myVotes.add(seq); else page.myVotes.delete(seq);
  return result;
}

/** A moderator hides a comment; resolves with the hidden comment. */
export function hideComment(page, seq) {
  return api('POST', `/api/threads/${page.threadId}/comments/${seq}/hide`);
}

/** A moderator locks (or unlocks) the thread; resolves with the thread's info. */
export function lockThread(page, locked) {
  return api(locked ? 'POST' : 'DELETE', `/api/threads/${page.threadId}/lock`);
}

/** The seqs the reader has up-voted here (0 = the thread), into page.myVotes. */
export async function loadMyVotes(page) {
  try {
    const result = await api('GET', `/api/threads/${page.threadId}/votes/mine`);
    for (const seq of result?.seqs ?? []) page.myVotes.add(Number(seq));
  } catch (e) {
    console.warn('reading my votes failed', e);
  }
}

/** SignalR wraps hub errors as "An unexpected error occurred invoking ... HubException: <text>". */
export function readableError(err) {
  const message = (err && err.message) || String(err);
  const marker = 'HubException: ';
  const i = message.indexOf(marker);
  return i >= 0 ? message.slice(i + marker.length) : message;
}
