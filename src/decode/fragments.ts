/**
 * IP fragment reassembly for IPv4 (RFC 791, hole bookkeeping in the spirit of
 * RFC 815) and IPv6 (RFC 8200 section 4.5).
 *
 * Overlaps (RFC 5722 says drop for IPv6; Wireshark, whose conversation counts
 * we follow, reassembles) are reported and resolved as Wireshark does: bytes
 * from the fragment with the lower offset win, the earlier one on a tie, so
 * the result does not depend on arrival order.
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

interface Piece {
  off: number;
  /** Captured bytes (a copy). */
  data: Uint8Array;
  /** Bytes the header says this fragment carries (>= data.length). */
  claimed: number;
}

interface Pending {
  key: string;
  firstTs: number;
  pieces: Piece[];
  /** Datagram payload length once the last fragment is seen, else -1. */
  end: number;
  bytes: number;
  proto: number;
  meta: FragmentMeta;
  overlapReported: boolean;
}

export type FragmentAnomalyFn = (code: string, detail?: string) => void;

export class FragmentReassembler {
  private readonly pending = new Map<string, Pending>();
  private totalBytes = 0;
  readonly limits: FragmentLimits;

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

  /**
   * Adds one fragment. `data` is a view (copied here); `claimed` is the
   * fragment's payload length per its headers (larger than data.length when
   * the capture cut it); `proto` is the upper protocol as this fragment's
   * header says (for IPv6 it only counts from the offset-0 fragment).
   * Returns the datagram when this fragment completes it.
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
      p = { key, firstTs: nowSec, pieces: [], end: -1, bytes: 0, proto: -1, meta, overlapReported: false };
      this.pending.set(key, p);
    }
    if (p.pieces.length >= lim.maxFragments) {
      anomaly('ip_fragment_too_many', `more than ${lim.maxFragments} fragments`);
      this.drop(p);
      return undefined;
    }
    if (offset === 0 || p.proto < 0) p.proto = proto;
    const fragEnd = offset + claimed;
    if (!more) {
      if (p.end >= 0 && p.end !== fragEnd) anomaly('ip_fragment_inconsistent_end', `last fragment ends at ${fragEnd}, earlier at ${p.end}`);
      if (p.end < 0) p.end = fragEnd;
    }
    // overlap detection
    const pieces = p.pieces;
    for (let i = 0; i < pieces.length; i++) {
      const q = pieces[i]!;
      if (q.off < fragEnd && offset < q.off + q.claimed) {
        const s = Math.max(q.off, offset);
        const e = Math.min(q.off + q.data.length, offset + data.length);
        let conflict = false;
        for (let k = s; k < e; k++) {
          if (q.data[k - q.off] !== data[k - offset]) {
            conflict = true;
            break;
          }
        }
        if (conflict) anomaly('ip_fragment_overlap_conflict', `bytes ${s}-${e} differ`);
        if (!p.overlapReported) {
          p.overlapReported = true;
          anomaly('ip_fragment_overlap', `fragment ${offset}-${fragEnd} overlaps ${q.off}-${q.off + q.claimed}`);
        }
      }
    }
    // insert sorted by offset, after equal offsets (earlier wins on a tie)
    const piece: Piece = { off: offset, data: data.slice(), claimed };
    let i = pieces.length;
    while (i > 0 && pieces[i - 1]!.off > offset) i--;
    pieces.splice(i, 0, piece);
    p.bytes += piece.data.length;
    this.totalBytes += piece.data.length;
    while (this.totalBytes > lim.maxTotalBytes && this.pending.size > 1) {
      const first = this.pending.values().next().value as Pending;
      if (first === p) break;
      this.drop(first);
      anomaly('ip_fragment_evicted', 'reassembly memory limit reached');
    }
    if (p.end < 0) return undefined;
    // complete when [0, end) is covered by claimed ranges
    let cover = 0;
    for (const q of pieces) {
      if (q.off > cover) return undefined;
      if (q.off + q.claimed > cover) cover = q.off + q.claimed;
    }
    if (cover < p.end) return undefined;
    const total = p.end;
    const buf = new Uint8Array(total);
    let written = 0;
    let prefix = 0;
    for (const q of pieces) {
      const qEnd = Math.min(q.off + q.data.length, total);
      const start = Math.max(q.off, written);
      if (start < qEnd) {
        buf.set(q.data.subarray(start - q.off, qEnd - q.off), start);
        written = qEnd;
      }
      if (q.off <= prefix && qEnd > prefix) prefix = qEnd;
    }
    this.drop(p);
    return { data: buf.subarray(0, prefix), missing: total - prefix, proto: p.proto, src: p.meta.src, dst: p.meta.dst, ipVersion: p.meta.ipVersion };
  }

  /** Discards datagrams older than the timeout (capture time). */
  expire(nowSec: number, anomaly: FragmentAnomalyFn): void {
    for (const p of this.pending.values()) {
      if (nowSec - p.firstTs <= this.limits.timeoutSec) break;
      anomaly('ip_fragment_timeout', `${p.meta.src} -> ${p.meta.dst}: ${p.pieces.length} fragment(s) after ${this.limits.timeoutSec}s`);
      this.drop(p);
    }
  }

  /** Reports and forgets every incomplete datagram (end of capture). */
  finish(anomaly: FragmentAnomalyFn): void {
    for (const p of this.pending.values()) {
      anomaly('ip_fragment_incomplete', `${p.meta.src} -> ${p.meta.dst}: ${p.pieces.length} fragment(s)`);
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
