// The "edited" mark of a comment: a button that opens (and closes) the comment's earlier versions,
// each with its time, oldest first, read from the API when opened. Text only: versions are shown as
// plain text (textContent), never as markup.

import { api, el, timeElement } from '../api.js';
import { readableError } from './actions.js';

/** The "edited" control for comment `c` of `node`. */
export function editedControl(page, node, c) {
  const button = el('button', 'linkish edited', 'edited');
  button.type = 'button';
  button.title = 'edited ' + c.editedAt + ': show the earlier versions';
  const panel = node.querySelector(':scope > .history');
  button.setAttribute('aria-expanded', String(!!panel && !panel.hidden));
  button.addEventListener('click', () => toggleHistory(page, node, c.seq, button));
  return button;
}

async function toggleHistory(page, node, seq, button) {
  let panel = node.querySelector(':scope > .history');
  if (panel && !panel.hidden) {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  if (!panel) {
    panel = el('div', 'history');
    panel.id = `history-${seq}`;
    node.querySelector(':scope > .body').after(panel);
  }
  button.setAttribute('aria-controls', panel.id);
  panel.hidden = false;
  button.setAttribute('aria-expanded', 'true');
  panel.replaceChildren(el('p', 'history-loading', 'loading versions…'));
  try {
    const versions = await api('GET', `/api/threads/${encodeURIComponent(page.threadId)}/comments/${seq}/history`);
    const list = el('ol', 'history-versions');
    list.setAttribute('aria-label', `versions of this comment, oldest first`);
    versions.forEach((v, i) => {
      const item = el('li', 'history-version');
      const label = el('div', 'history-when', i === versions.length - 1 ? 'now, since ' : (i === 0 ? 'posted ' : 'edited '));
      label.append(timeElement(v.at));
      item.append(label, el('pre', 'history-body', v.body));
      list.append(item);
    });
    panel.replaceChildren(list);
  } catch (err) {
    const error = el('p', 'form-error', readableError(err));
    error.setAttribute('role', 'alert');
    panel.replaceChildren(error);
  }
}
