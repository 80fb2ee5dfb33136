/**
 * IP fragment reassembly for IPv4 (RFC 791, hole bookkeeping in the spirit of
 * RFC 815) and IPv6 (RFC 8200 section 4.5).
 *
 * Overlaps (RFC 5722 says drop for IPv6; Wireshark, whose conversation counts
 * we follow, reassembles) are reported and resolved as Wireshark does: bytes
 * from the fragment with the lower offset win, the earlier one on a tie, so
 * the result does not depend on arrival order.
 *
 * A datagram's bytes are held as sorted, non-overlapping runs (as the TCP
 * reassembler does): a fragment is located by binary search, trimmed to what
 * it adds or wins, and its overlapping bytes are compared with what is held
 * once, so duplicates and overlaps cost O(log n + bytes of the fragment)
 * instead of a comparison with every fragment received. Duplicates that add
 * nothing are not held and do not count against the fragment limit.
 *
 * Memory is bounded per datagram (`maxDatagramBytes`, fragment count), in the
 * number of datagrams in progress and in total bytes held; the oldest
 * datagram is evicted first. Incomplete datagrams expire after
 * `timeoutSec` of capture time.
 */

export interface FragmentLimits {
  /** Largest reassembled payload accepted (default 65535). */
  maxDatagramBytes: number;
  /** Datagrams in progress at once (default 4096). */
  maxDatagrams: number;
  /** Capture-time seconds an incomplete datagram is kept (default 30). */
  timeoutSec: number;
  /** Bytes held for all datagrams together (default 64 MiB). */
  maxTotalBytes: number;
  /** Fragments per datagram (default 1024). */
  maxFragments: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = {
  maxDatagramBytes: 65535,
  maxDatagrams: 4096,
  timeoutSec: 30,
  maxTotalBytes: 64 * 1024 * 1024,
  maxFragments: 1024,
};

/** Fields of the first packet that identify a datagram (kept for the result). */
export interface FragmentMeta {
  src: string;
  dst: string;
  ipVersion: 4 | 6;
}

/** A complete datagram. */
export interface Reassembled {
  /** The payload bytes captured, from offset 0 up to the first byte the capture lacks. */
  data: Uint8Array;
  /** Bytes the fragments claim but the capture lacks (snaplen), from `data.length` on. */
  missing: number;
  /** Upper-layer protocol (IPv4 protocol / IPv6 next header of the offset-0 fragment). */
  proto: number;
  src: string;
  dst: string;
  ipVersion: 4 | 6;
}

/** Captured bytes [off, end) of a datagram, from the fragment that starts at `src`. */
interface Seg {
  off: number;
  end: number;
  /** Offset of the fragment the bytes come from (<= off): of two overlapping fragments the lower offset wins. */
  src: number;
  data: Uint8Array;
}

/** A stretch [off, end] of the datagram covered by the fragments' claimed lengths. */
interface Run {
  off: number;
  end: number;
}

interface Pending {
  key: string;
  firstTs: number;
  /** The datagram's bytes as captured so far: sorted, non-overlapping, each byte from the winning fragment. */
  segs: Seg[];
  /** What the fragments claim (captured or not): sorted, neither overlapping nor touching (touching runs merge). */
  runs: Run[];
  /** Fragments received, duplicates included. */
  received: number;
  /** Fragments that added claimed coverage or bytes (what maxFragments limits). */
  stored: number;
  /** Datagram payload length once the last fragment is seen, else -1. */
  end: number;
  /** Captured bytes held (sum of segs). */
  bytes: number;
  proto: number;
  meta: FragmentMeta;
  overlapReported: boolean;
}

/** Work done by add(), for tests and profiling: stays proportional to the bytes of the fragments added. */
export interface FragmentWork {
  /** Stored byte runs looked at (after the binary search). */
  segmentsVisited: number;
  /** Bytes compared with bytes already held. */
  bytesCompared: number;
  /** Bytes copied into storage. */
  bytesCopied: number;
}

export type FragmentAnomalyFn = (code: string, detail?: string) => void;

/** Index of the first entry of `a` whose `end` exceeds `pos` (`orEqual`: is at least `pos`). */
function firstEndingAfter(a: readonly { end: number }[], pos: number, orEqual: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = a[mid]!.end;
    if (e < pos || (e === pos && !orEqual)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** a[ai, ai + n) equals b[bi, bi + n). */
function sameBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}

export class FragmentReassembler {
  private readonly pending = new Map<string, Pending>();
  private totalBytes = 0;
  readonly limits: FragmentLimits;
  /** Cumulative work counters (never reset). */
  readonly work: FragmentWork = { segmentsVisited: 0, bytesCompared: 0, bytesCopied: 0 };

  constructor(limits: Partial<FragmentLimits> = {}) {
    this.limits = { ...DEFAULT_FRAGMENT_LIMITS, ...limits };
  }

  /** Datagrams in progress. */
  get size(): number {
    return this.pending.size;
  }

  /** Bytes held. */
  get heldBytes(): number {
    return this.totalBytes;
  }

  /** Non-overlapping byte runs held for the datagram in progress under `key` (0 when none). */
  storedPieces(key: string): number {
    return this.pending.get(key)?.segs.length ?? 0;
  }

  /**
   * Adds one fragment. `data` is a view (copied here); `claimed` is the
   * fragment's payload length per its headers (larger than data.length when
   * the capture cut it); `proto` is the upper protocol as this fragment's
   * header says (for IPv6 it only counts from the offset-0 fragment).
   * Returns the datagram when this fragment completes it.
   *
   * Cost: O(log n + bytes of the fragment) plus array splices of the
   * datagram's (at most ~2 * maxFragments) runs; each byte is compared with
   * what is held at most once.
   */
  add(
    key: string,
    nowSec: number,
    meta: FragmentMeta,
    proto: number,
    offset: number,
    data: Uint8Array,
    claimed: number,
    more: boolean,
    anomaly: FragmentAnomalyFn,
  ): Reassembled | undefined {
    const lim = this.limits;
    if (claimed < data.length) claimed = data.length;
    let p = this.pending.get(key);
    if (offset + claimed > lim.maxDatagramBytes) {
      anomaly('ip_fragment_too_large', `fragment ends at ${offset + claimed}`);
      if (p) this.drop(p);
      return undefined;
    }
    if (more && claimed % 8 !== 0) anomaly('ip_fragment_bad_length', `non-final fragment of ${claimed} bytes`);
    if (!p) {
      while (this.pending.size >= lim.maxDatagrams) this.evictOldest(anomaly);
      p = { key, firstTs: nowSec, segs: [], runs: [], received: 0, stored: 0, end: -1, bytes: 0, proto: -1, meta, overlapReported: false };
      this.pending.set(key, p);
    }
    if (p.stored >= lim.maxFragments) {
      anomaly('ip_fragment_too_many', `more than ${lim.maxFragments} fragments`);
      this.drop(p);
      return undefined;
    }
    p.received++;
    if (offset === 0 || p.proto < 0) p.proto = proto;
    const fragEnd = offset + claimed;
    if (!more) {
      if (p.end >= 0 && p.end !== fragEnd) anomaly('ip_fragment_inconsistent_end', `last fragment ends at ${fragEnd}, earlier at ${p.end}`);
      if (p.end < 0) p.end = fragEnd;
    }
    const work = this.work;

    // Claimed coverage: overlap test and merge of the runs [offset, fragEnd] touches.
    const runs = p.runs;
    const r = firstEndingAfter(runs, offset, true);
    let k = r;
    let lo = offset;
    let hi = fragEnd;
    let ovOff = -1;
    let ovEnd = -1;
    for (let q = runs[k]; q !== undefined && q.off <= fragEnd; q = runs[++k]) {
      if (ovOff < 0 && q.off < fragEnd && offset < q.end) {
        ovOff = q.off;
        ovEnd = q.end;
      }
      if (q.off < lo) lo = q.off;
      if (q.end > hi) hi = q.end;
    }
    const grew = !(k === r + 1 && lo === runs[r]!.off && hi === runs[r]!.end);
    if (grew) runs.splice(r, k - r, { off: lo, end: hi });

    // Captured bytes. Every byte belongs to the fragment with the lowest
    // offset that carries it (the earliest on a tie). The bytes held at or
    // after `offset` from fragments starting at or before it form one
    // contiguous stretch from `offset` (each such fragment covers [offset,
    // its end)): they win and are only compared. From the first byte past
    // that stretch this fragment wins: gaps are filled, and bytes held from
    // fragments at higher offsets are compared and replaced.
    const segs = p.segs;
    const dEnd = offset + data.length;
    let i = firstEndingAfter(segs, offset, false);
    let cur = offset;
    let difFrom = -1;
    let difTo = -1;
    while (cur < dEnd) {
      const q = segs[i];
      if (q === undefined || q.off > cur || q.src > offset) break;
      const e = Math.min(dEnd, q.end);
      work.segmentsVisited++;
      work.bytesCompared += e - cur;
      if (!sameBytes(data, cur - offset, q.data, cur - q.off, e - cur)) {
        if (difFrom < 0) difFrom = cur;
        difTo = e;
      }
      cur = e;
      i++;
    }
    let added = 0;
    const wins = cur < dEnd;
    if (wins) {
      let j = i;
      let removed = 0;
      let tail: Seg | undefined;
      for (let q = segs[j]; q !== undefined && q.off < dEnd; q = segs[++j]) {
        const e = Math.min(dEnd, q.end);
        work.segmentsVisited++;
        work.bytesCompared += e - q.off;
        if (!sameBytes(data, q.off - offset, q.data, 0, e - q.off)) {
          if (difFrom < 0) difFrom = q.off;
          difTo = e;
        }
        removed += e - q.off;
        if (q.end > dEnd) {
          let rest = q.data.subarray(dEnd - q.off);
          if (rest.length * 2 < rest.buffer.byteLength) {
            // do not pin a mostly dead buffer (copies halve it each time: amortized)
            rest = rest.slice();
            work.bytesCopied += rest.length;
          }
          tail = { off: dEnd, end: q.end, src: q.src, data: rest };
        }
      }
      const seg: Seg = { off: cur, end: dEnd, src: offset, data: data.slice(cur - offset) };
      work.bytesCopied += dEnd - cur;
      if (tail) segs.splice(i, j - i, seg, tail);
      else segs.splice(i, j - i, seg);
      added = dEnd - cur - removed;
    }
    if (difFrom >= 0) anomaly('ip_fragment_overlap_conflict', `bytes ${difFrom}-${difTo} differ`);
    if (ovOff >= 0 && !p.overlapReported) {
      p.overlapReported = true;
      anomaly('ip_fragment_overlap', `fragment ${offset}-${fragEnd} overlaps ${ovOff}-${ovEnd} already received`);
    }
    if (grew || wins) p.stored++;
    p.bytes += added;
    this.totalBytes += added;
    while (this.totalBytes > lim.maxTotalBytes && this.pending.size > 1) {
      const first = this.pending.values().next().value as Pending;
      if (first === p) break;
      this.drop(first);
      anomaly('ip_fragment_evicted', 'reassembly memory limit reached');
    }
    if (p.end < 0) return undefined;
    // complete when the claimed lengths cover [0, end) in one stretch (like
    // before, a fragment claiming bytes past the end, detached, keeps it incomplete)
    const run0 = runs[0];
    if (runs.length !== 1 || run0 === undefined || run0.off !== 0 || run0.end < p.end) return undefined;
    const total = p.end;
    let prefix = 0;
    let n = 0;
    for (const q of segs) {
      if (q.off !== prefix || prefix >= total) break;
      prefix = Math.min(q.end, total);
      n++;
    }
    const buf = new Uint8Array(prefix);
    for (let s = 0; s < n; s++) {
      const q = segs[s]!;
      buf.set(q.end > prefix ? q.data.subarray(0, prefix - q.off) : q.data, q.off);
    }
    this.drop(p);
    return { data: buf, missing: total - prefix, proto: p.proto, src: p.meta.src, dst: p.meta.dst, ipVersion: p.meta.ipVersion };
  }

  /** Discards datagrams older than the timeout (capture time). */
  expire(nowSec: number, anomaly: FragmentAnomalyFn): void {
    for (const p of this.pending.values()) {
      if (nowSec - p.firstTs <= this.limits.timeoutSec) break;
      anomaly('ip_fragment_timeout', `${p.meta.src} -> ${p.meta.dst}: ${p.received} fragment(s) after ${this.limits.timeoutSec}s`);
      this.drop(p);
    }
  }

  /** Reports and forgets every incomplete datagram (end of capture). */
  finish(anomaly: FragmentAnomalyFn): void {
    for (const p of this.pending.values()) {
      anomaly('ip_fragment_incomplete', `${p.meta.src} -> ${p.meta.dst}: ${p.received} fragment(s)`);
    }
    this.pending.clear();
    this.totalBytes = 0;
  }

  private evictOldest(anomaly: FragmentAnomalyFn): void {
    const first = this.pending.values().next().value as Pending | undefined;
    if (!first) return;
    anomaly('ip_fragment_evicted', `${first.meta.src} -> ${first.meta.dst}: too many datagrams in progress`);
    this.drop(first);
  }

  private drop(p: Pending): void {
    if (this.pending.delete(p.key)) this.totalBytes -= p.bytes;
  }
}
