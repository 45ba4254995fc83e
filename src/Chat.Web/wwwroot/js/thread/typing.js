// Typing: "alice is replying…" under the comment being replied to. Never stored: the server
// passes signals on (throttled) and each page forgets a typist a few seconds after the last one.

import { el } from '../api.js';
import { hubConnection, isHubConnected } from '../live.js';

const TYPING_SEND_EVERY_MS = 3000;
const TYPING_SHOWN_FOR_MS = 6000;

/** The page state's `typing`: what this page sent, and who is typing where. */
export function typingState() {
  return {
    sentAt: new Map(),  // parentSeq -> when this page last said we are typing there
    typists: new Map(), // parentSeq -> Map(userName -> expiry timer)
  };
}

/** The reader typed in the form that replies to parentSeq (0 = the thread): say so, now and then. */
export function sendTyping(page, parentSeq) {
  if (!page.me || page.thread.locked || !isHubConnected()) return;
  const now = Date.now();
  if (now - (page.typing.sentAt.get(parentSeq) ?? 0) < TYPING_SEND_EVERY_MS) return;
  page.typing.sentAt.set(parentSeq, now);
  hubConnection().invoke('Typing', page.threadId, parentSeq).catch(e => console.warn('typing signal failed', e));
}

/** Someone else is typing under parentSeq (a `typing` push). */
export function showTyping(page, userName, parentSeq) {
  if (!userName || userName === page.me?.userName) return;
  const { typists } = page.typing;
  if (!typists.has(parentSeq)) typists.set(parentSeq, new Map());
  const users = typists.get(parentSeq);
  clearTimeout(users.get(userName));
  users.set(userName, setTimeout(() => endTyping(page, userName, parentSeq), TYPING_SHOWN_FOR_MS));
  renderTyping(page, parentSeq);
}

/** Their comment arrived (or they went quiet): they are no longer typing there. */
export function endTyping(page, userName, parentSeq) {
  const users = page.typing.typists.get(parentSeq);
  if (!users || !users.has(userName)) return;
  clearTimeout(users.get(userName));
  users.delete(userName);
  renderTyping(page, parentSeq);
}

function renderTyping(page, parentSeq) {
  const names = [...(page.typing.typists.get(parentSeq)?.keys() ?? [])];
  let line = parentSeq === 0
    ? document.getElementById('typing-top')
    : document.querySelector(`#c${parentSeq} > .typing`);
  if (!line && parentSeq !== 0) {
    const node = document.getElementById('c' + parentSeq);
    if (!node || names.length === 0) return;
    line = el('p', 'typing');
    line.setAttribute('aria-live', 'polite');
    node.querySelector(':scope > .children').before(line);
  }
  if (!line) return;
  const verb = parentSeq === 0 ? 'commenting' : 'replying';
  line.textContent = names.length === 0 ? ''
    : names.length === 1 ? `${names[0]} is ${verb}…`
    : names.length === 2 ? `${names[0]} and ${names[1]} are ${verb}…`
    : `${names.length} people are ${verb}…`;
  line.hidden = names.length === 0;
}
