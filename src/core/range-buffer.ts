/**
 * Received byte ranges of one message or stream whose pieces arrive in any
 * order, overlapping or repeated, at offsets the (hostile) input claims:
 * DTLS handshake fragments (src/dtls/reassembly.ts) and QUIC CRYPTO frames
 * (src/quic/crypto_stream.ts). Storage follows the bytes that arrived, not
 * the claimed offsets or lengths, and work per piece is O(log n) plus its
 * size (amortised).
 */

/** Most separate (non-adjacent) received ranges kept for one message or stream. */
export const MAX_RANGES = 1024;

/**
 * Separate ranges held by every RangeBuffer of one analysis together (all
 * UDP flows): a range costs an object and a buffer, a few hundred bytes, for
 * as little as one byte of input, so the per-message and per-direction caps
 * alone would let a capture of many flows hold about ten times its size.
 * The default (64 Ki ranges) is about 20 MB.
 */
export interface PieceBudget {
  used: number;
  readonly max: number;
}

export function newPieceBudget(max = 65536): PieceBudget {
  return { used: 0, max };
}

/** One received range [start, end); `buf` holds absolute offsets [base, base + buf.length). */
export interface ByteRange {
  start: number;
  end: number;
  base: number;
  buf: Uint8Array;
}

/**
 * Received byte ranges of one message/stream, kept sorted, disjoint and
 * non-adjacent, each with its own buffer. A fragment is located by binary
 * search and merged only with the ranges it overlaps or touches: the largest
 * of them absorbs the others (so a byte is copied O(log n) times at most),
 * and a buffer that must grow doubles, with the slack split on both sides
 * (so extending a range at either end is amortised O(1) per byte). Storage
 * is at most twice the bytes held, and at most `limit` per range.
 * Overlapping bytes: the last fragment wins.
 */
export class RangeBuffer {
  private rs: ByteRange[] = [];
  private bytes = 0;
  private moved = 0;

  /**
   * `limit`: offsets are in [0, limit); `maxRanges`: most separate ranges;
   * `budget`: shared with other buffers (given back by clear()).
   */
  constructor(private readonly limit: number, private readonly maxRanges = MAX_RANGES, private readonly budget?: PieceBudget) {}

  /** Bytes of storage held (buffer capacities), not the length any header claims. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /** Bytes copied so far by merges and buffer growth (a work measure; fragment data itself not counted). */
  get copiedBytes(): number {
    return this.moved;
  }

  /** Number of separate ranges held. */
  get rangeCount(): number {
    return this.rs.length;
  }

  /** The ranges, lowest first (for inspection; do not modify). */
  ranges(): ReadonlyArray<Readonly<ByteRange>> {
    return this.rs;
  }

  /** The lowest range, if any. */
  first(): Readonly<ByteRange> | undefined {
    return this.rs[0];
  }

  /** Byte at absolute offset `at` of range `r` (a range returned by first()). */
  static at(r: Readonly<ByteRange>, at: number): number {
    return r.buf[at - r.base]!;
  }

  /** Copy of the bytes [from, to) of range `r`. */
  static slice(r: Readonly<ByteRange>, from: number, to: number): Uint8Array {
    return r.buf.slice(from - r.base, to - r.base);
  }

  /**
   * Store `data` at `offset` (offset + data.length <= limit). Returns false,
   * storing nothing, when it would make more than `maxRanges` ranges.
   */
  add(offset: number, data: Uint8Array): boolean {
    const s = offset;
    const e = offset + data.length;
    if (data.length === 0) return true;
    if (s < 0 || e > this.limit) throw new RangeError(`range [${s}, ${e}) outside [0, ${this.limit})`);
    const rs = this.rs;
    // lo: first range ending at or after s (ends increase); hi: last range starting at or before e
    let a = 0;
    let b = rs.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (rs[m]!.end < s) a = m + 1;
      else b = m;
    }
    const lo = a;
    b = rs.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (rs[m]!.start <= e) a = m + 1;
      else b = m;
    }
    const hi = a - 1;
    if (lo > hi) {
      if (rs.length >= this.maxRanges) return false;
      const budget = this.budget;
      if (budget !== undefined) {
        if (budget.used >= budget.max) return false;
        budget.used++;
      }
      rs.splice(lo, 0, { start: s, end: e, base: s, buf: data.slice() });
      this.bytes += data.length;
      return true;
    }
    const ns = Math.min(s, rs[lo]!.start);
    const ne = Math.max(e, rs[hi]!.end);
    let k = lo;
    for (let i = lo + 1; i <= hi; i++) if (rs[i]!.end - rs[i]!.start > rs[k]!.end - rs[k]!.start) k = i;
    const t = rs[k]!;
    if (ns < t.base || ne > t.base + t.buf.length) {
      const len = ne - ns;
      const cap = Math.min(this.limit, 2 * len);
      const base = Math.max(0, Math.min(ns - ((cap - len) >>> 1), this.limit - cap));
      const nb = new Uint8Array(cap);
      nb.set(t.buf.subarray(t.start - t.base, t.end - t.base), t.start - base);
      this.moved += t.end - t.start;
      this.bytes += cap - t.buf.length;
      t.buf = nb;
      t.base = base;
    }
    for (let i = lo; i <= hi; i++) {
      if (i === k) continue;
      const r = rs[i]!;
      t.buf.set(r.buf.subarray(r.start - r.base, r.end - r.base), r.start - t.base);
      this.moved += r.end - r.start;
      this.bytes -= r.buf.length;
    }
    t.buf.set(data, s - t.base);
    t.start = ns;
    t.end = ne;
    if (hi > lo) {
      rs.splice(lo, hi - lo + 1, t);
      if (this.budget !== undefined) this.budget.used -= hi - lo;
    }
    return true;
  }

  /** Drop everything (and give the ranges back to the shared budget). */
  clear(): void {
    if (this.budget !== undefined) this.budget.used -= this.rs.length;
    this.rs = [];
    this.bytes = 0;
  }
}
