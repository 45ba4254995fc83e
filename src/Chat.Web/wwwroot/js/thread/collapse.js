// Collapse: "[-]" hides a comment's body and replies, "[+N]" says how many comments are hidden.
// Which comments are collapsed is remembered for the visit (sessionStorage), per thread.

/** The collapsed seqs remembered for this thread: the page state's `collapsed`. */
export function rememberedCollapsed(threadId) {
  const key = 'chat.collapsed.' + threadId;
  let seqs = [];
  try {
    const value = JSON.parse(sessionStorage.getItem(key) ?? '[]');
    if (Array.isArray(value)) seqs = value.map(Number).filter(n => n > 0);
  } catch { /* unreadable: start with none */ }
  return { key, seqs: new Set(seqs) };
}

/** A comment just drawn: collapsed if the reader collapsed it, and its ancestors' counts updated. */
export function applyCollapse(page, node, seq) {
  // Its label was drawn before it was collapsed: draw it again (with no replies, nothing else would).
  if (page.collapsed.seqs.has(seq)) {
    node.classList.add('collapsed');
    updateCollapseLabel(node);
  }
  // A new reply changes the hidden count of every collapsed comment above it.
  for (let p = node.parentElement?.closest('.comment'); p; p = p.parentElement?.closest('.comment')) {
    if (p.classList.contains('collapsed')) updateCollapseLabel(p);
  }
}

export function toggleCollapsed(page, node) {
  const { key, seqs } = page.collapsed;
  const seq = Number(node.dataset.seq);
  const now = !node.classList.contains('collapsed');
  node.classList.toggle('collapsed', now);
  if (now) seqs.add(seq); else seqs.delete(seq);
  try { sessionStorage.setItem(key, JSON.stringify([...seqs])); } catch { /* private mode: not remembered */ }
  updateCollapseLabel(node);
}

/** Opens every collapsed comment above `target`, so that a permalink's comment can be seen. */
export function expandAbove(page, target) {
  for (let p = target.parentElement?.closest('.comment.collapsed'); p; p = p.parentElement?.closest('.comment.collapsed')) {
    toggleCollapsed(page, p);
  }
}

export function updateCollapseLabel(node) {
  const button = node.querySelector(':scope > .comhead .collapse-toggle');
  if (!button) return;
  const isCollapsed = node.classList.contains('collapsed');
  const hidden = node.querySelectorAll(':scope > .children .comment').length;
  button.textContent = isCollapsed ? `[+${hidden}]` : '[-]';
  button.setAttribute('aria-expanded', String(!isCollapsed));
  button.setAttribute('aria-label', isCollapsed
    ? `expand: ${hidden} ${hidden === 1 ? 'reply' : 'replies'} hidden`
    : 'collapse this comment and its replies');
}
