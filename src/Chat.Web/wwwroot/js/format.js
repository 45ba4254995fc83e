// HN-like body formatting. Input is untrusted plain text; output is DOM built only from
// text nodes, <p>, <br>, <blockquote> and <a> elements, so markup in a body is shown literally.

// "@name", as the server finds it (Chat.Contracts/MentionText.cs): only names the comment's
// `mentions` lists (the users that exist) become links.
const MENTION_RE = /(?<![A-Za-z0-9_@-])@([A-Za-z0-9_-]{3,32})(?![A-Za-z0-9_@-])/g;

// A URL runs until whitespace or a character that cannot sensibly be part of one in prose.
const URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING_PUNCT = '.,;:!?\'"';
// "> quoted" (or a bare ">" line inside a quote).
const QUOTE_RE = /^>( |$)/;

/**
 * Formats a comment or thread body.
 * - paragraphs are separated by blank lines (each becomes a <p>);
 * - consecutive lines starting with "> " become a <blockquote> (marker stripped);
 * - other single newlines become <br>;
 * - http(s) URLs become links;
 * - "@name" becomes a link to /u/name when `mentions` (the server's list) names it.
 * @param {string} text
 * @param {string[]} [mentions]
 * @returns {DocumentFragment}
 */
export function renderBody(text, mentions) {
  const named = new Set(Array.isArray(mentions) ? mentions.filter(m => typeof m === 'string') : []);
  const frag = document.createDocumentFragment();
  if (typeof text !== 'string' || text === '') return frag;

  const normalized = text.replace(/\r\n?/g, '\n');
  // A line of only whitespace counts as blank.
  for (const para of normalized.split(/\n[ \t]*\n/)) {
    const lines = para.split('\n');
    // Drop leading/trailing blank lines left over from runs of 3+ newlines.
    while (lines.length && lines[0].trim() === '') lines.shift();
    while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
    if (!lines.length) continue;

    // Split the paragraph into runs of quoted / unquoted lines. A <blockquote> cannot
    // live inside a <p>, so each run becomes its own block.
    let run = [];
    let runIsQuote = QUOTE_RE.test(lines[0]);
    const flush = () => {
      if (!run.length) return;
      const block = document.createElement(runIsQuote ? 'blockquote' : 'p');
      appendLines(block, runIsQuote ? run.map(l => l.replace(QUOTE_RE, '')) : run, named);
      frag.append(block);
      run = [];
    };
    for (const line of lines) {
      const isQuote = QUOTE_RE.test(line);
      if (isQuote !== runIsQuote) {
        flush();
        runIsQuote = isQuote;
      }
      run.push(line);
    }
    flush();
  }
  return frag;
}

/** Appends lines to `parent` separated by <br>, with URLs linked. */
function appendLines(parent, lines, named) {
  lines.forEach((line, i) => {
    if (i > 0) parent.append(document.createElement('br'));
    appendLinkified(parent, line, named);
  });
}

/** Appends `text` to `parent` as text nodes, turning http(s) URLs (and the `named` mentions) into links. */
export function appendLinkified(parent, text, named) {
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    const url = trimUrl(match[0]);
    // "http://" alone (after trimming) is not worth linking.
    if (!/^https?:\/\/./i.test(url)) continue;
    const start = match.index;
    if (start > last) appendMentions(parent, text.slice(last, start), named);
    const a = document.createElement('a');
    a.href = url; // always http(s): the regex guarantees the scheme
    a.rel = 'nofollow noopener';
    a.target = '_blank';
    a.textContent = url;
    parent.append(a);
    last = start + url.length; // trimmed punctuation stays as text
  }
  if (last < text.length) appendMentions(parent, text.slice(last), named);
}

/** Appends `text`, turning "@name" into a link to the user's page when `named` has the name. */
function appendMentions(parent, text, named) {
  if (!named || named.size === 0 || !text.includes('@')) {
    parent.append(text);
    return;
  }
  let last = 0;
  for (const match of text.matchAll(MENTION_RE)) {
    const name = match[1].toLowerCase();
    if (!named.has(name)) continue;
    if (match.index > last) parent.append(text.slice(last, match.index));
    const a = document.createElement('a');
    a.className = 'mention';
    a.href = '/u/' + encodeURIComponent(name);
    a.textContent = match[0];
    parent.append(a);
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/** Strips trailing punctuation and unbalanced closing parens/brackets, as in "(see http://x.com/a)." */
function trimUrl(url) {
  for (;;) {
    const ch = url[url.length - 1];
    if (TRAILING_PUNCT.includes(ch)) {
      url = url.slice(0, -1);
    } else if (ch === ')' && count(url, '(') < count(url, ')')) {
      url = url.slice(0, -1);
    } else if (ch === ']' && count(url, '[') < count(url, ']')) {
      url = url.slice(0, -1);
    } else {
      return url;
    }
  }
}

function count(s, ch) {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}
