// The "flag" control of a comment: a signed-in reader flags someone else's comment for moderators,
// once, with a reason. A button that opens a small inline form (a reason and "flag it"); no dialog,
// so it works from the keyboard like the reply and edit forms. Who flagged is never shown here.

import { api, el } from '../api.js';
import { viaHubOrHttp } from '../live.js';
import { readableError } from './actions.js';

export const FLAG_REASONS = ['spam', 'abuse', 'off-topic', 'other'];

/** Flags comment `seq`; resolves with {reason, alreadyFlagged}. */
export function flagComment(page, seq, reason) {
  return viaHubOrHttp(
    hub => hub.invoke('FlagComment', page.threadId, seq, reason),
    () => api('POST', `/api/threads/${page.threadId}/comments/${seq}/flag`, { reason }));
}


/** The control for comment `seq`: "flag", or "flagged" once this reader flagged it on this page. */
export function flagControl(page, seq) {
  page.flagged ??= new Set();
  const wrap = el('span', 'flag-control');
  if (page.flagged.has(seq)) {
    wrap.append(el('span', 'flagged', 'flagged'));
    return wrap;
  }
  const toggle = el('button', 'linkish flag-toggle', 'flag');
  toggle.type = 'button';
  toggle.setAttribute('aria-expanded', 'false');
  const form = el('span', 'flag-form');
  form.hidden = true;
  const select = el('select', 'flag-reason');
  select.setAttribute('aria-label', 'reason for flagging');
  for (const reason of FLAG_REASONS) {
    const option = el('option', '', reason);
    option.value = reason;
    select.append(option);
  }
  const submit = el('button', 'linkish flag-submit', 'flag it');
  submit.type = 'button';
  const error = el('span', 'form-error flag-error');
  error.setAttribute('role', 'alert');
  form.append(' ', select, ' ', submit, ' ', error);

  toggle.addEventListener('click', () => {
    form.hidden = !form.hidden;
    toggle.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) select.focus();
  });
  submit.addEventListener('click', async () => {
    if (submit.getAttribute('aria-busy') === 'true') return;
    submit.setAttribute('aria-busy', 'true');
    try {
      await flagComment(page, seq, select.value);
      page.flagged.add(seq);
      const done = el('span', 'flagged', 'flagged');
      done.tabIndex = -1;
      wrap.replaceChildren(done);
      done.focus();
    } catch (e) {
      error.textContent = readableError(e);
    } finally {
      submit.removeAttribute('aria-busy');
    }
  });
  wrap.append(toggle, form);
  return wrap;
}
