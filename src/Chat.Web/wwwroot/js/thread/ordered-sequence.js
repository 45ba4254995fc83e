// The comments of a thread page in "top" or "new" order (pure, like sequence.js, and unit-tested the
// same way). The server sends pages of whole subtrees of top-level comments in the order
// (GET .../comments/ordered); the first page also gives the order of every top-level comment, and
// the next pages are asked for by those seqs, so the order stays the one the reader started with
// while votes move points: nothing is skipped or shown twice. Vote changes do not re-order what is
// drawn (a comment never moves under the reader's eyes); a reload shows the new order.
//
// Live comments (pushes, in seq order) go where they belong in the order:
//   a reply under its drawn parent, among its siblings by the order (a new reply has 0 points, so
//   in "top" it follows its voted siblings; in "new" it comes first);
//   a top-level comment in "new" at the top; in "top" at the end of the order: drawn at once when
//   every page is in, else it comes with its page.
// A push whose parent is not drawn waits (bounded): its parent's page, or its parent, brings it.

import { CommentSequence, JUMP_PAGE_SIZE, MAX_HELD, PAGE_SIZE } from './sequence.js';

export class OrderedSequence extends CommentSequence {
  /** 'top' or 'new'. */
  order;
  /** Every top-level comment's seq in the order; null before the first page. */
  roots = null;
  /** roots[0..loadedRoots) are drawn with their subtrees. */
  loadedRoots = 0;
  #base = 0;                // the first page's lastSeq: every comment up to it is in a page
  #pageSeqs = [];           // the page being received, in its order
  #live = new Set();        // seqs drawn live: placed by the order, not appended

  constructor(order) {
    super();
    this.order = order;
  }

  /** A page of GET .../comments/ordered (or JoinThreadOrdered's): {comments, roots, served, lastSeq}. */
  receivePage(page) {
    const served = (page.served ?? []).length;
    if (this.roots === null) {
      this.roots = (page.roots ?? []).map(Number);
      this.#base = Number(page.lastSeq) || 0;
      this.lastSeq = Math.max(this.lastSeq, this.#base);
      this.loadedRoots = served;
    } else {
      // The server serves the asked roots from the first, in order (at least one).
      this.loadedRoots += Math.max(served, 1);
    }
    this.#pageSeqs = (page.comments ?? []).map(c => c.seq);
    try {
      return this.receive(page.comments, page.lastSeq);
    } finally {
      this.#pageSeqs = [];
    }
  }

  /** Pages and pushes overlap: what is drawn, or in the pages to come, arrives again. */
  covers() {
    return false;
  }

  release() {
    const held = this.held;
    const draw = [];
    if (this.roots === null) return draw; // before the first page nothing has a place yet
    for (const seq of this.#pageSeqs) {
      const c = held.get(seq);
      if (!c) continue;
      held.delete(seq);
      draw.push(this.show(c));
    }
    // Pushes, in seq order (a parent before its replies).
    for (const seq of [...held.keys()].sort((a, b) => a - b)) {
      const c = held.get(seq);
      if (seq <= this.#base) { held.delete(seq); continue; } // in a page, drawn or to come
      if (seq === this.lastSeq + 1) this.lastSeq = seq;
      const parent = Number(c.parentSeq) || 0;
      if (parent > 0) {
        if (!this.isShown(parent)) continue;
      } else if (this.order !== 'new' && this.loadedRoots < this.roots.length) {
        if (!this.roots.includes(seq)) this.roots.push(seq);
        held.delete(seq);
        continue;
      }
      held.delete(seq);
      this.#live.add(seq);
      draw.push(this.show(c));
    }
    if (held.size > MAX_HELD) {
      for (const seq of [...held.keys()].sort((a, b) => a - b).slice(MAX_HELD)) held.delete(seq);
    }
    return draw;
  }

  /** 'end': a page's comment follows what is drawn; 'live': placed among its siblings by the order. */
  placing(c) {
    return this.#live.has(c.seq) ? 'live' : 'end';
  }

  /** By the points drawn now: a live comment goes where the reader sees it belongs. */
  comesBefore(c, seq) {
    if (this.order === 'new') return c.seq > seq;
    const sibling = this.get(seq);
    const points = Number(c.points) || 0;
    const siblingPoints = Number(sibling?.points) || 0;
    return points > siblingPoints || (points === siblingPoints && c.seq < seq);
  }

  get hasMore() {
    return this.roots === null || this.loadedRoots < this.roots.length;
  }

  wantNextPage() {
    return this.loadedRoots + 1;
  }

  /** A permalink's comment not drawn: pages are read (nextFetch's jumpTo) until it is, or none is left. */
  wantFor() {
    return this.hasMore ? 0 : null;
  }

  /** At the top in "new"; at the end in "top", beyond the pages while some are not loaded. */
  lands() {
    return this.order !== 'new' && this.hasMore ? 'beyond' : 'here';
  }

  get progress() {
    return this.loadedRoots;
  }

  /**
   * The next page to read: {roots, limit} of the top-level comments after those drawn, while the
   * reader wants more (wantUpTo is in pages of roots here) or a permalink's comment is not drawn.
   */
  nextFetch(wantUpTo = 0, jumpTo = 0) {
    if (this.roots === null || !this.hasMore) return null;
    const jumping = jumpTo > 0 && !this.isShown(jumpTo);
    if (!jumping && wantUpTo <= this.loadedRoots) return null;
    // Never more roots than a page of comments (each is at least one), and an address that stays short.
    return { roots: this.roots.slice(this.loadedRoots, this.loadedRoots + PAGE_SIZE), limit: jumping ? JUMP_PAGE_SIZE : PAGE_SIZE };
  }
}
