// HN-like body formatting. Input is untrusted plain text; output is DOM built only from
// text nodes, <p>, <br>, <blockquote> and <a> elements, so markup in a body is shown literally.

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
 * - http(s) URLs become links.
 * @param {string} text
 * @returns {DocumentFragment}
 */
export function renderBody(text) {
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
      appendLines(block, runIsQuote ? run.map(l => l.replace(QUOTE_RE, '')) : run);
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
function appendLines(parent, lines) {
  lines.forEach((line, i) => {
    if (i > 0) parent.append(document.createElement('br'));
    appendLinkified(parent, line);
  });
}

/** Appends `text` to `parent` as text nodes, turning http(s) URLs into links. */
export function appendLinkified(parent, text) {
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    const url = trimUrl(match[0]);
    // "http://" alone (after trimming) is not worth linking.
    if (!/^https?:\/\/./i.test(url)) continue;
    const start = match.index;
    if (start > last) parent.append(text.slice(last, start));
    const a = document.createElement('a');
    a.href = url; // always http(s): the regex guarantees the scheme
    a.rel = 'nofollow noopener';
    a.target = '_blank';
    a.textContent = url;
    parent.append(a);
    last = start + url.length; // trimmed punctuation stays as text
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
