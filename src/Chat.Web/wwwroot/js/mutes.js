// Tells this browser's other tabs that the reader's mutes changed (the storage event fires in every
// other tab of the site), so that an open thread page re-reads its list and redraws at once.
export const MUTES_CHANGED_KEY = 'chat.mutes.changed';

export function announceMutesChanged() {
  try { localStorage.setItem(MUTES_CHANGED_KEY, String(Date.now())); } catch { /* private mode: other tabs learn on reload */ }
}

/** Calls `changed` when another tab of this browser muted or unmuted someone. */
export function onMutesChanged(changed) {
  window.addEventListener('storage', e => { if (e.key === MUTES_CHANGED_KEY) changed(); });
}
