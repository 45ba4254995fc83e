// Submit a new thread. Requires sign-in.
import { api, initHeader, loginHref, newClientId } from './api.js';

const form = document.getElementById('submit-form');
const error = document.getElementById('submit-error');
const button = document.getElementById('submit-button');
// One submission's clientId, kept while the same thread is submitted again after an error: if the
// first try was stored after all (the answer was lost, or storage said "unavailable" too late), the
// retry gets that thread instead of creating a second one. Changing the form starts a new one.
let attempt = null;

init();

async function init() {
  const me = await initHeader();
  if (!me) {
    location.replace(loginHref('/submit'));
    return;
  }
  form.hidden = false;
  form.elements.title.focus();
}

form.addEventListener('submit', async e => {
  e.preventDefault();
  if (button.disabled) return;
  error.textContent = '';
  const title = form.elements.title.value.trim();
  const url = form.elements.url.value.trim();
  const body = form.elements.body.value;
  const payload = { title };
  if (url) payload.url = url;
  if (body.trim()) payload.body = body;

  const key = JSON.stringify(payload);
  if (attempt?.key !== key) attempt = { key, clientId: newClientId() };
  payload.clientId = attempt.clientId;

  button.disabled = true;
  try {
    const created = await api('POST', '/api/threads', payload);
    location.assign('/t/' + encodeURIComponent(created.id));
  } catch (err) {
    if (err.status === 401) {
      location.assign(loginHref('/submit'));
      return;
    }
    error.textContent = err.message;
    button.disabled = false;
  }
});
