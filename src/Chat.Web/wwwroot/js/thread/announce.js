// New comments arriving live, told to screen readers through a polite live region (#live-news).
// A busy thread would otherwise talk over everything: arrivals are gathered and announced at most
// once every few seconds ("New comment by alice", "5 new comments"). The reader's own comments
// are not announced (the form says it posted them); nor are deleted or hidden ones.

const QUIET_MS = 4000;
const GATHER_MS = 250;

/** The page state's `announcer`. */
export function announcerState() {
  return { count: 0, lastAuthor: '', timer: 0, quietUntil: 0 };
}

/** Counts the pushed comments someone else wrote, and schedules their announcement. */
export function announceArrivals(page, comments) {
  const mine = page.me?.userName;
  const news = comments.filter(c => !c.deleted && !c.hidden && c.author !== mine);
  if (news.length === 0) return;
  const state = page.announcer;
  state.count += news.length;
  state.lastAuthor = news[news.length - 1].author;
  if (!state.timer) state.timer = setTimeout(() => announce(state), Math.max(GATHER_MS, state.quietUntil - Date.now()));
}

function announce(state) {
  state.timer = 0;
  const region = document.getElementById('live-news');
  if (region) region.textContent = state.count === 1 ? `New comment by ${state.lastAuthor}` : `${state.count} new comments`;
  state.count = 0;
  state.quietUntil = Date.now() + QUIET_MS;
}
