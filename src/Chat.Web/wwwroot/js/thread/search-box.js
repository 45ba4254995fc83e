// "search this thread" on the thread page: a plain GET form to /search with this thread's id.
const form = document.getElementById('thread-search');
const threadId = location.pathname.split('/').filter(Boolean).pop() ?? '';
if (form && /^[a-z0-9]{12}$/.test(threadId)) {
  document.getElementById('thread-search-id').value = threadId;
  form.hidden = false;
}
