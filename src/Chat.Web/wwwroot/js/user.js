// User page /u/{name}: karma, joined, recent comments with links to them.
import { api, ApiError, initHeader, el, timeElement, startRelativeTimeRefresh } from './api.js';

const name = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
const status = document.getElementById('status');

initHeader();
load();

async function load() {
  let user;
  try {
    user = await api('GET', '/api/users/' + encodeURIComponent(name));
  } catch (e) {
    status.textContent = e instanceof ApiError && e.status === 404 ? 'No such user.' : e.message;
    return;
  }
  document.title = user.userName + ' | chat';
  document.getElementById('profile-name').textContent = user.userName;
  document.getElementById('profile-joined').append(timeElement(user.joinedAt));
  document.getElementById('profile-karma').textContent = String(Number(user.karma) || 0);
  const list = document.getElementById('profile-comments');
  for (const c of user.recentComments ?? []) {
    const li = el('li');
    const link = el('a', 'comment-link', c.snippet);
    link.href = `/t/${encodeURIComponent(c.threadId)}#c${Number(c.seq)}`;
    li.append(link, ' ', el('span', 'subtext', ''));
    li.lastChild.append(timeElement(c.createdAt));
    list.append(li);
  }
  if (!list.firstChild) list.append(el('li', 'status', 'No comments yet.'));
  status.hidden = true;
  document.getElementById('profile').hidden = false;
  startRelativeTimeRefresh();
}
