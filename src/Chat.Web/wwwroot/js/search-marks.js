// Marked words of a search snippet: text nodes and <mark> elements built from {start, length}
// ranges (UTF-16 code units, as the API gives them). Ranges out of bounds or overlapping are
// skipped, never trusted. No HTML is parsed: the snippet's text stays text.

/** The nodes of text with the given ranges wrapped in <mark>. */
export function markedText(text, ranges) {
  const s = typeof text === 'string' ? text : '';
  const spans = (Array.isArray(ranges) ? ranges : [])
    .map(r => ({ start: Number(r?.start), length: Number(r?.length) }))
    .filter(r => Number.isInteger(r.start) && Number.isInteger(r.length) && r.start >= 0 && r.length > 0 && r.start + r.length <= s.length)
    .sort((a, b) => a.start - b.start);
  const nodes = [];
  let at = 0;
  for (const r of spans) {
    if (r.start < at) continue;
    if (r.start > at) nodes.push(document.createTextNode(s.slice(at, r.start)));
    const mark = document.createElement('mark');
    mark.textContent = s.slice(r.start, r.start + r.length);
    nodes.push(mark);
    at = r.start + r.length;
  }
  if (at < s.length) nodes.push(document.createTextNode(s.slice(at)));
  return nodes;
}
