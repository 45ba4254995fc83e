// User page /u/{name}: karma, joined, recent comments with links to them.
import { api, ApiError, initHeader, el, timeElement, startRelativeTimeRefresh } from './api.js';
import { announceMutesChanged } from './mutes.js';

const name = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
const status = document.getElementById('status');

const me = initHeader();
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
  await muteButton(user.userName);
  status.hidden = true;
  document.getElementById('profile').hidden = false;
  startRelativeTimeRefresh();
}

/** "mute" / "unmute" for a signed-in reader on someone else's page; whom you muted is yours alone. */
async function muteButton(userName) {
  const reader = await me;
  if (!reader || reader.userName === userName) return;
  let muted = false;
  try {
    muted = (await api('GET', '/api/me/mutes')).includes(userName);
  } catch { /* shown as not muted; pressing it says what failed */ }
  const cell = document.getElementById('profile-mute');
  const button = el('button', 'linkish mute-toggle');
  button.type = 'button';
  button.id = 'mute-toggle';
  const error = el('span', 'form-error');
  error.setAttribute('role', 'alert');
  const draw = () => {
    button.textContent = muted ? 'unmute' : 'mute';
    button.setAttribute('aria-pressed', String(muted));
    button.title = muted ? 'show their comments and notifications again' : 'collapse their comments for you and stop their notifications';
  };
  button.addEventListener('click', async () => {
    error.textContent = '';
    try {
      await api(muted ? 'DELETE' : 'POST', `/api/users/${encodeURIComponent(userName)}/mute`);
      muted = !muted;
      draw();
      announceMutesChanged();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  draw();
  cell.replaceChildren(button, ' ', error);
  cell.closest('tr').hidden = false;
}
