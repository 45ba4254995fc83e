// What the signed-in reader controls on a thread page: following the thread (a button in the header),
// quieting replies to one of their own comments, and muted people, whose comments are drawn
// collapsed as "muted" with a "show" button. The hub's pushes are the same for every reader, so
// muting is applied here, on the page, from the reader's own list (GET /api/me/mutes), fetched once
// and kept current by this page's own mutes and unmutes.

import { api, el } from '../api.js';
import { readableError } from './actions.js';
import { onMutesChanged } from '../mutes.js';

/** Reads the reader's mutes, quiet comments and follows (signed in only); a failure leaves them empty. */
export async function loadControls(page) {
  page.mutes = new Set();
  page.quiet = new Set();
  page.shownMuted = new Set();
  page.following = false;
  if (!page.me) return;
  const [mutes, quiet, follows] = await Promise.all(['/api/me/mutes', '/api/me/quiet', '/api/me/follows']
    .map(path => api('GET', path).catch(err => { console.warn(path, err); return []; })));
  page.mutes = new Set(mutes);
  page.quiet = new Set(quiet.filter(q => q.threadId === page.threadId).map(q => Number(q.seq)));
  page.following = follows.some(f => f.threadId === page.threadId);
  // Kept current: a mute or unmute in another tab redraws this page's comments by the new list.
  onMutesChanged(async () => {
    try {
      page.mutes = new Set(await api('GET', '/api/me/mutes'));
      page.redrawAll?.();
    } catch (err) {
      console.warn('re-reading mutes failed', err);
    }
  });
}

/** Whether comment c is drawn muted: its author is muted and the reader has not asked to see it. */
export function isMuted(page, c) {
  return !!page.mutes?.has(c.author) && !page.shownMuted?.has(c.seq);
}

/** The "muted" mark and its "show" button, for the head of a muted comment. */
export function mutedControls(page, c, redraw) {
  const show = button('show-muted', 'show', () => {
    page.shownMuted.add(c.seq);
    redraw();
    document.querySelector(`#c${c.seq} > .comhead .author`)?.focus();
  });
  show.setAttribute('aria-label', 'show this comment by someone you muted');
  return [el('span', 'author muted-mark', '[muted]'), ' ', show];
}

/** "quiet" / "unquiet" for one of the reader's own comments. */
export function quietControl(page, seq) {
  const quiet = page.quiet?.has(seq);
  const b = button('quiet-toggle', quiet ? 'unquiet' : 'quiet', async () => {
    b.disabled = true;
    try {
      await api(quiet ? 'DELETE' : 'POST', `/api/threads/${encodeURIComponent(page.threadId)}/comments/${seq}/quiet`);
      if (quiet) page.quiet.delete(seq); else page.quiet.add(seq);
      const fresh = quietControl(page, seq);
      b.replaceWith(fresh);
      fresh.focus();
    } catch (err) {
      b.disabled = false;
      b.title = readableError(err);
    }
  });
  b.setAttribute('aria-pressed', String(!!quiet));
  b.title = quiet ? 'replies to this comment do not notify you: turn them on again' : 'stop notifications of replies to this comment';
  return b;
}

/** The header's "follow" / "unfollow" button (signed in only). */
export function followControl(page) {
  if (!page.me) return null;
  const b = button('follow-toggle', page.following ? 'unfollow' : 'follow', async () => {
    b.disabled = true;
    try {
      await api(page.following ? 'DELETE' : 'POST', `/api/threads/${encodeURIComponent(page.threadId)}/follow`);
      page.following = !page.following;
      b.textContent = page.following ? 'unfollow' : 'follow';
      b.setAttribute('aria-pressed', String(page.following));
    } catch (err) {
      b.title = readableError(err);
    } finally {
      b.disabled = false;
      b.focus();
    }
  });
  b.id = 'follow-toggle';
  b.setAttribute('aria-pressed', String(page.following));
  b.title = 'new comments in this thread reach your inbox as one item';
  return b;
}

function button(className, text, onClick) {
  const b = el('button', 'linkish ' + className, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
