// Settings /settings: auto-follow, and the lists of what the reader controls (whom they muted, their
// quiet comments, the threads they follow), each entry with a button that undoes it and, pressed
// again, does it again: an undo that was a slip is one press away.
import { api, initHeader, el, showSignInPrompt } from './api.js';
import { announceMutesChanged } from './mutes.js';

const status = document.getElementById('status');
const error = document.getElementById('settings-error');

async function main() {
  const me = await initHeader();
  if (!me) {
    showSignInPrompt(status, 'Sign in to see your settings: ', '/settings');
    return;
  }
  let controls;
  try {
    const [settings, mutes, quiet, follows] = await Promise.all(['/api/me/settings', '/api/me/mutes', '/api/me/quiet', '/api/me/follows'].map(p => api('GET', p)));
    controls = { settings, mutes, quiet, follows };
  } catch (e) {
    status.textContent = e.message;
    return;
  }
  drawAutoFollow(controls.settings);
  fill('mutes', controls.mutes, 'You have muted nobody.', name => entry(name, '/u/' + encodeURIComponent(name),
    on => `/api/users/${encodeURIComponent(name)}/mute`, 'unmute', 'mute', `${name}`));
  fill('quiet', controls.quiet, 'No quiet comments.', q => entry(`comment ${Number(q.seq)} in thread ${q.threadId}`,
    `/t/${encodeURIComponent(q.threadId)}#c${Number(q.seq)}`, () => `/api/threads/${encodeURIComponent(q.threadId)}/comments/${Number(q.seq)}/quiet`, 'unquiet', 'quiet', `comment ${Number(q.seq)}`));
  fill('follows', controls.follows, 'You follow no threads.', f => entry(f.title || f.threadId, '/t/' + encodeURIComponent(f.threadId),
    () => `/api/threads/${encodeURIComponent(f.threadId)}/follow`, 'unfollow', 'follow', f.title || f.threadId));
  status.hidden = true;
  document.getElementById('settings').hidden = false;
}

function drawAutoFollow(settings) {
  const box = document.getElementById('auto-follow');
  const said = document.getElementById('auto-follow-status');
  box.checked = !!settings.autoFollow;
  box.addEventListener('change', async () => {
    box.disabled = true;
    try {
      const now = await api('PUT', '/api/me/settings', { autoFollow: box.checked });
      box.checked = !!now.autoFollow;
      said.textContent = 'saved';
    } catch (e) {
      box.checked = !box.checked;
      said.textContent = e.message;
    } finally {
      box.disabled = false;
      box.focus();
    }
  });
}

function fill(listId, items, empty, draw) {
  const list = document.getElementById(listId);
  list.replaceChildren(...items.map(draw));
  if (items.length === 0) list.append(el('li', 'status', empty));
}

/** One entry: a link to what it is about, and a button that undoes (DELETE) and redoes (POST) it. */
function entry(text, href, path, undoText, redoText, what) {
  const li = el('li', 'control-entry');
  const link = el('a', '', text);
  link.href = href;
  const button = el('button', 'linkish undo-toggle', undoText);
  button.type = 'button';
  let on = true;
  const label = () => button.setAttribute('aria-label', `${on ? undoText : redoText} ${what}`);
  label();
  button.addEventListener('click', async () => {
    error.textContent = '';
    button.disabled = true;
    try {
      await api(on ? 'DELETE' : 'POST', path(on));
      on = !on;
      button.textContent = on ? undoText : redoText;
      li.classList.toggle('undone', !on);
      label();
      if (path(on).includes('/mute')) announceMutesChanged();
    } catch (e) {
      error.textContent = e.message;
    } finally {
      button.disabled = false;
      button.focus();
    }
  });
  li.append(link, ' ', button);
  return li;
}

main();
