// Login / create account. Both sign in via cookie, then go back where the user came from.
import { api, initHeader, safeReturnPath } from './api.js';

const returnTo = safeReturnPath(new URLSearchParams(location.search).get('return'));

initHeader();
wire('login-form', 'login-error', '/api/auth/login');
wire('register-form', 'register-error', '/api/auth/register');
document.getElementById('login-username').focus();

function wire(formId, errorId, endpoint) {
  const form = document.getElementById(formId);
  const error = document.getElementById(errorId);
  const button = form.querySelector('button[type=submit]');

  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (button.disabled) return;
    error.textContent = '';
    button.disabled = true;
    try {
      await api('POST', endpoint, {
        userName: form.elements.userName.value.trim(),
        password: form.elements.password.value,
      });
      location.assign(returnTo);
    } catch (err) {
      error.textContent = err.message;
      button.disabled = false;
    }
  });
}
