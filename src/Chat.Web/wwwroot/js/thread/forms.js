// The thread page's forms: the top-level comment form, a comment's reply form and its edit form.
// Keyboard: Ctrl+Enter submits, Escape closes a reply or edit form and gives focus back to its toggle.

import { el, loginHref, newClientId, submitOnCtrlEnter } from '../api.js';
import { postComment, editComment, readableError } from './actions.js';
import { sendTyping } from './typing.js';

export function setupCommentForm(page) {
  const form = document.getElementById('comment-form');
  if (!page.me) {
    document.getElementById('login-to-comment-link').href = loginHref('/t/' + page.threadId);
    document.getElementById('login-to-comment').hidden = false;
    return;
  }
  form.hidden = false;
  const textarea = document.getElementById('comment-text');
  const error = document.getElementById('comment-error');
  const posted = el('span', 'comment-posted');
  posted.id = 'comment-posted';
  posted.setAttribute('role', 'status');
  error.after(posted);
  wirePostForm(page, form, textarea, document.getElementById('comment-submit'), error, 0, result => {
    textarea.value = '';
    // A new top-level comment goes at the very end (but in "new" order): in a big thread that is
    // pages below what is loaded, so say where it went rather than leave the poster wondering.
    const seq = Number(result?.seq) || 0;
    posted.replaceChildren();
    if (page.sequence.lands(seq) === 'beyond') {
      const link = el('a', '', 'view your comment');
      link.href = '#c' + seq;
      posted.append('Posted at the end of the thread: ', link);
    }
  });
}

/** The "reply" toggle under comment `c` opens (or closes) its reply form. */
export function toggleReply(page, c, button, area) {
  const open = area.hidden;
  area.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (!open) return;

  if (!area.firstChild) buildReplyForm(page, c, button, area);
  area.querySelector('textarea')?.focus();
}

function buildReplyForm(page, c, toggle, area) {
  if (!page.me) {
    const p = el('p', 'login-to-comment');
    const a = el('a', '', 'login to reply');
    a.href = loginHref('/t/' + page.threadId + '#c' + c.seq);
    p.append(a);
    area.append(p);
    return;
  }

  const { form, textarea, submit, cancel, error } = textForm('reply', 'reply', `Reply to ${c.author}`);
  area.append(form);
  const close = () => {
    area.hidden = true;
    // The head may have been redrawn (an update) since the form opened: find its button anew.
    const current = document.querySelector(`#c${c.seq} > .comhead .reply-toggle`) ?? toggle;
    current.setAttribute('aria-expanded', 'false');
    current.focus();
  };
  closeOnCancelOrEscape(textarea, cancel, close);
  wirePostForm(page, form, textarea, submit, error, c.seq, () => {
    textarea.value = '';
    close();
  });
}

/** The "edit" toggle of one's own comment `seq`; `onSaved(updated)` draws the edited comment. */
export function toggleEdit(page, seq, button, area, onSaved) {
  const open = area.hidden;
  area.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (!open) return;
  area.replaceChildren();
  const { form, textarea, submit: save, cancel, error } = textForm('edit', 'save', 'Edit your comment');
  textarea.value = page.sequence.get(seq).body;
  area.append(form);
  submitOnCtrlEnter(textarea);

  const close = () => {
    area.hidden = true;
    area.replaceChildren();
    const toggle = document.querySelector(`#c${seq} > .comhead .edit-toggle`);
    toggle?.setAttribute('aria-expanded', 'false');
    toggle?.focus();
  };
  closeOnCancelOrEscape(textarea, cancel, close);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (save.disabled) return;
    save.disabled = true;
    error.textContent = '';
    try {
      onSaved(await editComment(page, seq, textarea.value));
      close();
    } catch (err) {
      error.textContent = readableError(err);
      save.disabled = false;
    }
  });
  textarea.focus();
}

/** A form of a textarea, a submit button, "cancel" and an error line; classes `${kind}-form` etc. */
function textForm(kind, submitText, label) {
  const form = el('form', kind + '-form');
  form.noValidate = true;
  const textarea = el('textarea', kind + '-text');
  textarea.rows = 4;
  textarea.setAttribute('aria-label', label);
  const submit = el('button', kind + '-submit', submitText);
  submit.type = 'submit';
  const cancel = el('button', `linkish ${kind}-cancel`, 'cancel');
  cancel.type = 'button';
  const error = el('span', 'form-error');
  error.setAttribute('role', 'alert');
  const actions = el('div', 'form-actions');
  actions.append(submit, ' ', cancel, ' ', error);
  form.append(textarea, actions);
  return { form, textarea, submit, cancel, error };
}

function closeOnCancelOrEscape(textarea, cancel, close) {
  cancel.addEventListener('click', close);
  textarea.addEventListener('keydown', e => {
    if (e.key === 'Escape') { e.preventDefault(); close(); }
  });
}

/**
 * Posting a comment. The clientId is created once per submission attempt and kept across
 * retries after an error, so a post that reached the server but whose reply was lost is not
 * stored twice. The comment itself is drawn when its push arrives, not from the response.
 */
function wirePostForm(page, form, textarea, button, errorEl, parentSeq, onSuccess) {
  let clientId = null;
  let inFlight = false;
  submitOnCtrlEnter(textarea);
  textarea.addEventListener('input', () => sendTyping(page, parentSeq));

  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (inFlight) return; // Ctrl+Enter bypasses the disabled button
    inFlight = true;
    button.disabled = true;
    errorEl.textContent = '';
    clientId ??= newClientId();
    try {
      const result = await postComment(page, parentSeq, textarea.value, clientId);
      clientId = null;
      onSuccess(result);
    } catch (err) {
      errorEl.textContent = readableError(err);
    } finally {
      inFlight = false;
      button.disabled = false;
    }
  });
}
