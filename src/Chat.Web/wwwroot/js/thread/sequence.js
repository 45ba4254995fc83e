// The order of a thread's comments on the page, decided without the page: no DOM, no network, so
// that it is unit-tested on its own (tests/Chat.Browser.Tests/Scripts).
//
// Core invariant: a comment is drawn only when its seq === lastSeq + 1, after which lastSeq
// advances. Every source of comments (JoinThread's result, `comments` pushes, HTTP pages) goes
// through receive(), which draws whatever is contiguous. That makes "draw each comment exactly
// once, in seq order" hold no matter how sources overlap or race. The one exception: a reply whose
// parent is drawn is drawn at once, in seq order among its siblings, not pages later.

/** Comments per HTTP page while scrolling (JoinThread's first page is the server's, at most 500). */
export const PAGE_SIZE = 500;
/** The API's largest page: a permalink far down gets there in fewer round trips. */
export const JUMP_PAGE_SIZE = 1000;
/** Pushes (and updates) kept for comments not loaded yet; beyond this they are re-read with their page. */
export const MAX_HELD = 2000;

export class CommentSequence {
  /** Highest seq drawn: all of 1..lastSeq are drawn. */
  lastSeq = 0;
  /** Highest seq the server said exists (JoinThread's lastSeq, pushes, pages). */
  targetSeq = 0;
  #pending = new Map();  // seq -> comment received but not drawable yet (a gap before it)
  #shown = new Map();    // seq -> the comment as last drawn (updates replace it)
  #early = new Map();    // seq -> an update for a comment not drawn yet (it overtook the comment)
  /** Comments a reader can see in the whole thread (neither deleted nor hidden); null before countFrom(). */
  visibleCount = null;
  /** An update the page could not count (see #countChange): the page asks the server and calls recount(). */
  countUnsure = false;
  #countBase = 0;           // seqs up to here are in the server's count
  #countedNew = new Set();  // seqs above it counted already (a held push can be dropped and read again)

  /**
   * Starts the thread's visible count from the server's (GET /api/threads/{id}: commentCount, as of
   * its lastSeq). From then on every new comment and every change keeps it current, so the header
   * never counts deleted or hidden comments, and needs no server round trip to stay right.
   */
  countFrom(commentCount, lastSeq) {
    this.visibleCount = Number(commentCount) || 0;
    this.#countBase = Number(lastSeq) || 0;
    this.#countedNew.clear();
  }

  /**
   * The server's count again (as of its lastSeq), after an update left it unsure. Comments above
   * that lastSeq the page counted already stay counted; those up to it are in the server's figure.
   */
  recount(commentCount, lastSeq) {
    const base = Number(lastSeq) || 0;
    let above = 0;
    for (const seq of [...this.#countedNew]) {
      if (seq <= base) { this.#countedNew.delete(seq); continue; }
      const c = this.#shown.get(seq) ?? this.#pending.get(seq) ?? this.#early.get(seq);
      if (!c || visible(c)) above++;
    }
    this.visibleCount = (Number(commentCount) || 0) + above;
    this.#countBase = Math.max(this.#countBase, base);
    this.countUnsure = false;
  }

  /**
   * Takes a batch of comments in any order, possibly overlapping what the page has, and the
   * thread's last seq if known (a join result). Returns what to draw now, in this order (each at
   * most once, in its newest known version), and the seqs dropped as already drawn.
   */
  receive(comments, knownLastSeq = 0) {
    const duplicates = [];
    let target = Math.max(this.targetSeq, Number(knownLastSeq) || 0);
    for (const c of comments ?? []) {
      if (!c || !(c.seq > 0)) continue;
      if (this.covers(c.seq) || this.#shown.has(c.seq)) { duplicates.push(c.seq); continue; }
      if (!this.#pending.has(c.seq)) this.#pending.set(c.seq, c);
      this.#countNew(c);
      if (c.seq > target) target = c.seq;
    }
    this.targetSeq = target;
    return { draw: this.release(), duplicates };
  }

  // What another order (ordered-sequence.js) changes: which seqs are drawn already, what received
  // comments to draw now, where a drawn comment goes among its siblings, and what "more" means.

  /** In seq order every seq up to lastSeq is drawn: one arriving again is a duplicate. */
  covers(seq) {
    return seq <= this.lastSeq;
  }

  /** The held comments to draw now, in order; seq order here. */
  release() {
    return this.#drain();
  }

  /** Received comments not drawn yet, by seq (for release()). */
  get held() {
    return this.#pending;
  }

  /** Marks c drawn; returns the version to draw (for release()). */
  show(c) {
    return this.#show(c);
  }

  /** Whether c goes before the drawn sibling `seq` (render.js walks back from the last sibling). */
  comesBefore(c, seq) {
    return c.seq < seq;
  }

  /** 'seq': placed among its siblings by comesBefore(), new top-level comments batched at the end. */
  placing() {
    return 'seq';
  }

  /** Part of the thread is not on the page yet. */
  get hasMore() {
    return this.lastSeq < this.targetSeq;
  }

  /** How far paging's `wantUpTo` goes for one more page, or for a permalink's comment `seq` (null: nothing to read). */
  wantNextPage() {
    return this.lastSeq + PAGE_SIZE;
  }

  wantFor(seq) {
    return seq > this.lastSeq ? seq : null;
  }

  /** Where a top-level comment just posted lands: 'beyond' the pages loaded, or 'here'. */
  lands(seq) {
    return seq - this.lastSeq > PAGE_SIZE ? 'beyond' : 'here';
  }

  /** Moves when a page brings something: paging stops reading when it does not. */
  get progress() {
    return this.lastSeq;
  }

  /**
   * Changed comments (edit, delete, hide, points) under their old seq. Returns the drawn ones to
   * redraw; the others are kept so that the comment shows its newest version once it is drawn.
   */
  update(updates) {
    const redraw = [];
    for (const c of updates ?? []) {
      if (!c || !(c.seq > 0)) continue;
      this.#countChange(c);
      if (this.#shown.has(c.seq)) {
        this.#shown.set(c.seq, c);
        redraw.push(c);
      } else if (this.#pending.has(c.seq)) {
        this.#pending.set(c.seq, c);
      } else {
        this.#early.delete(c.seq);
        this.#early.set(c.seq, c);
        // Only an update racing a page in flight matters: a page read later is at least as new.
        if (this.#early.size > MAX_HELD) this.#early.delete(this.#early.keys().next().value);
      }
    }
    return redraw;
  }

  /**
   * The HTTP page to read next, {after, limit}, or null when none is wanted: while the reader asked
   * for comments up to `wantUpTo` (scrolling, "load more", a permalink), and always for a small rest
   * (a live gap or the last page costs one read). It asks for exactly the missing run after lastSeq,
   * up to the next comment the page holds, at most a page (a larger one on the way to `jumpTo`).
   */
  nextFetch(wantUpTo = 0, jumpTo = 0) {
    const { lastSeq, targetSeq } = this;
    if (!(lastSeq < targetSeq && (lastSeq < wantUpTo || targetSeq - lastSeq <= PAGE_SIZE))) return null;
    let gapEnd = targetSeq;
    for (const held of [this.#pending, this.#shown]) {
      for (const seq of held.keys()) if (seq > lastSeq && seq <= gapEnd) gapEnd = seq - 1;
    }
    const pageSize = jumpTo - lastSeq > PAGE_SIZE ? JUMP_PAGE_SIZE : PAGE_SIZE;
    return { after: lastSeq, limit: Math.min(pageSize, gapEnd - lastSeq) };
  }

  /** The comment as drawn now, or undefined. */
  get(seq) {
    return this.#shown.get(seq);
  }

  isShown(seq) {
    return this.#shown.has(seq);
  }

  /** How many of the thread's comments are not drawn. */
  get notShown() {
    return Math.max(0, this.targetSeq - this.#shown.size);
  }

  /**
   * After a re-join: JoinThread returns only seqs after lastSeq, so changes to drawn comments made
   * meanwhile are missing. `upTo` says how far to re-read; changed() picks from a re-read page the
   * drawn comments that differ from how they are drawn.
   */
  get highestShown() {
    let upTo = this.lastSeq;
    for (const seq of this.#shown.keys()) if (seq > upTo) upTo = seq; // replies drawn ahead of the pages
    return upTo;
  }

  changed(page) {
    return (page ?? []).filter(c => c && this.#shown.has(c.seq) && differs(this.#shown.get(c.seq), c));
  }

  /** Every held comment that continues the contiguous run, then replies to what is drawn. */
  #drain() {
    const draw = [];
    let seq = this.lastSeq;
    for (;;) {
      const c = this.#pending.get(seq + 1);
      if (c) {
        this.#pending.delete(seq + 1);
        draw.push(this.#show(c));
      } else if (!this.#shown.has(seq + 1)) {
        break;
      }
      seq++;
    }
    this.lastSeq = seq;

    if (this.#pending.size > 0) {
      const held = [...this.#pending.keys()].sort((a, b) => a - b);
      // A live reply to a comment the reader can see belongs under it now, not pages later; pages
      // are in seq order, so whatever they bring later is placed before it among its siblings.
      for (const s of held) {
        const c = this.#pending.get(s);
        if (c.parentSeq > 0 && this.#shown.has(c.parentSeq)) {
          this.#pending.delete(s);
          draw.push(this.#show(c));
        }
      }
      // A reader who stays on the first pages of a busy thread must not collect all of it in
      // memory: drop the furthest; they are still below targetSeq, so their page brings them.
      if (this.#pending.size > MAX_HELD) {
        for (const s of [...this.#pending.keys()].sort((a, b) => a - b).slice(MAX_HELD)) this.#pending.delete(s);
      }
    }
    return draw;
  }

  /** A comment newer than the server's count: counted once, in its newest known version. */
  #countNew(c) {
    if (this.visibleCount === null || c.seq <= this.#countBase || this.#countedNew.has(c.seq)) return;
    this.#countedNew.add(c.seq);
    if (visible(this.#early.get(c.seq) ?? c)) this.visibleCount++;
  }

  /**
   * A changed comment moves the count when it becomes gone or visible again. For one the page does
   * not hold (far down a big thread) only a delete tells what it was before (a visible comment: a
   * deleted one changes no more, and a hidden one deleted stays hidden); anything else of such a
   * comment (a hide, showing it again, a vote on a hidden one) leaves the count unsure, and the page
   * asks the server (recount).
   */
  #countChange(after) {
    if (this.visibleCount === null) return;
    // Newer than the count and not here yet: counted when it arrives, in this newest version.
    if (after.seq > this.#countBase && !this.#countedNew.has(after.seq)) return;
    const before = this.#shown.get(after.seq) ?? this.#pending.get(after.seq) ?? this.#early.get(after.seq);
    if (before) this.visibleCount += Number(visible(after)) - Number(visible(before));
    else if (after.deleted && !after.hidden) this.visibleCount--;
    else this.countUnsure = true;
  }

  #show(c) {
    // Its update overtook it (e.g. edited while this page was catching up): show the newer one.
    const newest = this.#early.get(c.seq) ?? c;
    this.#early.delete(c.seq);
    this.#shown.set(c.seq, newest);
    return newest;
  }
}

function visible(c) {
  return !c.deleted && !c.hidden;
}

function differs(a, b) {
  return !a || a.body !== b.body || a.author !== b.author || !!a.deleted !== !!b.deleted || !!a.hidden !== !!b.hidden
    || (a.editedAt ?? null) !== (b.editedAt ?? null) || (Number(a.points) || 0) !== (Number(b.points) || 0);
}
