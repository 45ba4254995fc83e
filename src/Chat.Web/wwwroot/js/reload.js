// Reloading the page when the hub says it no longer serves this page's protocol (Reload), without
// losing the reader's place: the comment at the top of the window (and how far down it was) is
// kept in sessionStorage over the reload, and put back where it was once the thread is drawn again.
// A permalink's anchor (#c123) stays in the address anyway.

const PLACE = 'chat.reload.place';
const AT = 'chat.reload.at';
/** A node may still hand out the old page for a while (a rollout): reload at most once a minute. */
const MIN_INTERVAL_MS = 60_000;

export function reloadKeepingPlace() {
  const last = Number(sessionStorage.getItem(AT)) || 0;
  if (Date.now() - last < MIN_INTERVAL_MS) return;
  const top = [...document.querySelectorAll('.comment[id]')].find(c => c.getBoundingClientRect().bottom > 0);
  sessionStorage.setItem(AT, String(Date.now()));
  sessionStorage.setItem(PLACE, JSON.stringify({
    path: location.pathname,
    id: top ? top.id : null,
    offset: top ? top.getBoundingClientRect().top : 0,
    scrollY: window.scrollY,
  }));
  // The place is put back by restorePlaceOnce; the browser's own restoring of the scroll position,
  // applied while the thread is still being drawn, would move it again.
  history.scrollRestoration = 'manual';
  location.reload();
}

/** After the first screen of a page is drawn: back to where the reader was before a reload, once. */
export function restorePlaceOnce() {
  const saved = sessionStorage.getItem(PLACE);
  if (!saved) return;
  sessionStorage.removeItem(PLACE);
  history.scrollRestoration = 'auto';
  let place;
  try { place = JSON.parse(saved); } catch { return; }
  // No comment was on screen yet (told to reload before the first screen was drawn): a
  // permalink's anchor, kept in the address, says where to go, or the top.
  if (!place || place.path !== location.pathname || !place.id) return;
  const comment = document.getElementById(place.id);
  if (!comment) { window.scrollTo(0, Number(place.scrollY) || 0); return; }
  // Parts of the page above the comments still change size for a moment after the first screen
  // (the header, the form): keep the comment where it was while they do, until the reader scrolls.
  const keep = () => window.scrollBy(0, comment.getBoundingClientRect().top - place.offset);
  keep();
  const resized = new ResizeObserver(keep);
  resized.observe(document.body);
  const stop = () => { resized.disconnect(); window.removeEventListener('wheel', stop); window.removeEventListener('keydown', stop); window.removeEventListener('touchstart', stop); };
  for (const event of ['wheel', 'keydown', 'touchstart']) window.addEventListener(event, stop, { once: true, passive: true });
  setTimeout(stop, 3000);
}
