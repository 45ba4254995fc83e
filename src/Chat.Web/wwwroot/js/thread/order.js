// The order of the comments: "top", "new" or "old" (seq order, the default). The address's ?sort=
// wins; otherwise the reader's last choice in this browser (localStorage), so a reader who prefers
// "top" gets it on every thread. Choosing an order reloads the page in it: the order is the server's
// (ordered-sequence.js), and the page never re-orders what the reader is looking at.

import { CommentSequence } from './sequence.js';
import { OrderedSequence } from './ordered-sequence.js';

export const ORDERS = ['top', 'new', 'old'];
const STORAGE_KEY = 'chat.commentOrder';

/** The order this page shows: ?sort= if it names one, else the remembered choice, else "old". */
export function chosenOrder() {
  const fromAddress = new URLSearchParams(location.search).get('sort');
  if (ORDERS.includes(fromAddress)) return fromAddress;
  let remembered = null;
  try { remembered = localStorage.getItem(STORAGE_KEY); } catch { /* storage off: the default */ }
  return ORDERS.includes(remembered) ? remembered : 'old';
}

/** The page state's `sequence` for an order. */
export function sequenceFor(order) {
  return order === 'old' ? new CommentSequence() : new OrderedSequence(order);
}

/**
 * The "order: top | new | old" links above the comments: plain links to ?sort=…, so that they work
 * with the keyboard, open in a new tab and can be shared; following one also remembers the choice.
 */
export function setupOrderControl(page) {
  for (const link of document.querySelectorAll('#comment-order a[data-order]')) {
    const order = link.dataset.order;
    const url = new URL(location.href);
    url.searchParams.set('sort', order);
    url.hash = '';
    link.href = url.pathname + url.search;
    if (order === page.order) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
    link.addEventListener('click', () => {
      try { localStorage.setItem(STORAGE_KEY, order); } catch { /* not remembered */ }
    });
  }
  document.getElementById('comment-order').hidden = false;
}
