// The header's search box on every page: "/" focuses it (unless typing somewhere already).
document.addEventListener('keydown', e => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
  const box = document.getElementById('site-search-q');
  if (!box) return;
  e.preventDefault();
  box.focus();
});
