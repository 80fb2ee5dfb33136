/**
 * DTLS handshake message reassembly (RFC 6347 4.2.3, RFC 9147 5.5): fragments
 * of one message (same message_seq) may arrive in any order, overlap, or be
 * retransmitted; a message is delivered once, when all its bytes are in.
 * Memory is bounded by `cap` bytes of messages in progress per direction.
 *
 * Captures are hostile input: the claimed message length only reserves part
 * of the `cap` budget, it is never allocated. Bytes are kept in a RangeBuffer
 * (src/core/range-buffer.ts): storage grows with the bytes that actually arrived, each fragment
 * costs O(log n) plus its own size (amortised), and a message that arrives as
 * more than MAX_RANGES separate pieces is dropped.
 */
import type { HandshakeFragment } from './record.js';
import { MAX_RANGES, RangeBuffer } from '../core/range-buffer.js';

export const DTLS_REASSEMBLY_CAP = 64 * 1024;

interface Partial {
  msgType: number;
  length: number;
  data: RangeBuffer;
}

export type FragmentResult =
  | { kind: 'complete'; msgType: number; messageSeq: number; body: Uint8Array }
  | { kind: 'partial' }
  | { kind: 'duplicate' }
  | { kind: 'too_big' }
  | { kind: 'inconsistent' }
  /** The message came in more than MAX_RANGES separate pieces: dropped (reported once). */
  | { kind: 'too_many_fragments' }
  /** A fragment of a message dropped earlier: ignored. */
  | { kind: 'dropped' };

export class HandshakeReassembler {
  private partials = new Map<number, Partial>();
  private done = new Set<number>();
  private dropped = new Set<number>();
  private held = 0;
  constructor(private readonly cap = DTLS_REASSEMBLY_CAP, private readonly maxRanges = MAX_RANGES) {}

  /** Whether message_seq `seq` was already delivered. */
  isDone(seq: number): boolean {
    return this.done.has(seq);
  }

  /** Bytes of storage held by messages in progress (grows with the bytes received, not the lengths claimed). */
  get bufferedBytes(): number {
    let n = 0;
    for (const p of this.partials.values()) n += p.data.bufferedBytes;
    return n;
  }

  add(f: HandshakeFragment): FragmentResult {
    if (this.done.has(f.messageSeq)) return { kind: 'duplicate' };
    if (this.dropped.has(f.messageSeq)) return { kind: 'dropped' };
    let p = this.partials.get(f.messageSeq);
    if (!p) {
      if (f.offset === 0 && f.data.length === f.length) {
        this.done.add(f.messageSeq);
        return { kind: 'complete', msgType: f.msgType, messageSeq: f.messageSeq, body: f.data.slice() };
      }
      // the claimed length reserves budget but is not allocated
      if (this.held + f.length > this.cap || this.partials.size >= 64) return { kind: 'too_big' };
      p = { msgType: f.msgType, length: f.length, data: new RangeBuffer(f.length, this.maxRanges) };
      this.held += f.length;
      this.partials.set(f.messageSeq, p);
    } else if (p.msgType !== f.msgType || p.length !== f.length) {
      return { kind: 'inconsistent' };
    }
    if (!p.data.add(f.offset, f.data)) {
      this.partials.delete(f.messageSeq);
      this.held -= p.length;
      this.dropped.add(f.messageSeq);
      return { kind: 'too_many_fragments' };
    }
    const r0 = p.data.first();
    if (p.length === 0 || (p.data.rangeCount === 1 && r0 !== undefined && r0.start === 0 && r0.end === p.length)) {
      this.partials.delete(f.messageSeq);
      this.held -= p.length;
      this.done.add(f.messageSeq);
      const body = r0 === undefined ? new Uint8Array(0) : r0.base === 0 && r0.buf.length === p.length ? r0.buf : RangeBuffer.slice(r0, 0, p.length);
      return { kind: 'complete', msgType: p.msgType, messageSeq: f.messageSeq, body };
    }
    return { kind: 'partial' };
  }

  reset(): void {
    this.partials.clear();
    this.done.clear();
    this.dropped.clear();
    this.held = 0;
  }
}
