// Keeping the reader's place: a comment drawn above the viewport (a live reply higher up, a new
// top-level comment at the top in "new" order) must not push what the reader is looking at down.
// Chromium and Firefox anchor scrolling themselves (CSS overflow-anchor: auto, the default), also
// when off-screen comments get their real size (content-visibility); their correction is applied
// by the layout this forces, so it is measured as no move. Where a browser has no anchoring, this
// measures a comment line at the top of the screen before and after the change and scrolls back
// by its move.

/** Runs `change` (DOM insertions) and scrolls so that the first comment on screen stays where it was. */
export function keepingReadersPlace(change) {
  const anchor = window.scrollY > 0 ? lineAtTopOfScreen() : null;
  const top = anchor?.getBoundingClientRect().top;
  change();
  if (!anchor || !anchor.isConnected) return;
  const moved = anchor.getBoundingClientRect().top - top;
  if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
}

/**
 * A comment's head or body at the top edge of the screen (or of the list, when it starts lower):
 * only what is above it moves it. Not a whole comment, whose replies could grow above the screen.
 */
function lineAtTopOfScreen() {
  const box = document.getElementById('comments').getBoundingClientRect();
  if (box.bottom <= 0 || box.top >= window.innerHeight) return null;
  const x = Math.min(box.left + box.width / 2, window.innerWidth - 1);
  for (let y = Math.max(box.top, 0) + 1; y < Math.min(box.bottom, window.innerHeight); y += 8) {
    const line = document.elementFromPoint(x, y)?.closest('.comhead, .body');
    if (line) return line;
  }
  return null;
}
