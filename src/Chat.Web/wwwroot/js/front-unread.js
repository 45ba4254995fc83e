// "N new" beside the front page's threads, for a signed-in reader: N = the thread's last seq minus
// the reader's read mark (see thread/unread.js), shown only for threads the reader has visited and
// not read to the end. It counts every comment posted after the mark, deleted or hidden ones too,
// so it may be a little high; the thread page labels exactly the new ones that are there.

import { api, el } from './api.js';

const marks = new Map();   // thread id -> read mark (visited threads only)
const asked = new Set();   // thread ids whose marks were asked for on this visit of the page
let signedIn = null;       // promise of the signed-in user (or null)
let lastRows = [];

/** Call once with initHeader()'s promise; then `showNewCounts` after each redraw of the list. */
export function watchReadMarks(me) {
  signedIn = me;
  // Back from a thread (the page restored from the back/forward cache) or back to this tab: the
  // marks may have moved meanwhile, on this device or another.
  const refresh = () => {
    asked.clear();
    showNewCounts(document.getElementById('threads'), lastRows);
  };
  window.addEventListener('pageshow', e => { if (e.persisted) refresh(); });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') refresh(); });
}

/** Adds "N new" to the rows of `threads` drawn in `list`, asking for the marks not known yet. */
export async function showNewCounts(list, threads) {
  lastRows = threads;
  if (!signedIn || !(await signedIn) || !Array.isArray(threads)) return;
  const missing = threads.map(t => t.id).filter(id => !asked.has(id)).slice(0, 100);
  if (missing.length > 0) {
    missing.forEach(id => asked.add(id));
    try {
      const found = await api('GET', '/api/read-marks?threads=' + missing.map(encodeURIComponent).join(','));
      for (const id of missing) marks.delete(id);
      for (const m of found ?? []) marks.set(m.threadId, Number(m.seq) || 0);
    } catch (e) {
      missing.forEach(id => asked.delete(id));
      console.warn('reading the read marks failed', e);
      return;
    }
  }
  // The list may have been redrawn while the marks were on their way: label what is drawn now.
  for (const t of lastRows) {
    const row = [...list.children].find(li => li.dataset.id === t.id);
    const sub = row?.querySelector('.subtext');
    if (!sub) continue;
    sub.querySelector('.new-count-item')?.remove();
    const n = (Number(t.lastSeq) || 0) - (marks.get(t.id) ?? Infinity);
    if (n > 0) {
      const item = el('span', 'new-count-item');
      item.append(' | ', el('span', 'new-count', `${n} new`));
      sub.append(item);
    }
  }
  document.body.dataset.readMarks = 'shown'; // for tests: the marks are on the rows
}
