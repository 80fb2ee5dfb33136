/**
 * DTLS handshake message reassembly (RFC 6347 4.2.3, RFC 9147 5.5): fragments
 * of one message (same message_seq) may arrive in any order, overlap, or be
 * retransmitted; a message is delivered once, when all its bytes are in.
 * Memory is bounded by `cap` bytes of messages in progress per direction.
 *
 * Captures are hostile input: the claimed message length only reserves part
 * of the `cap` budget, it is never allocated. Bytes are kept in a RangeBuffer
 * (src/core/range-buffer.ts): storage grows with the bytes that actually arrived, each fragment
 * costs O(log n) plus its own size (amortised), and the messages in progress
 * of a direction may hold MAX_RANGES separate pieces between them: the one
 * whose fragment goes past that is dropped.
 */
import type { HandshakeFragment } from './record.js';
import { MAX_RANGES, RangeBuffer, type PieceBudget } from '../core/range-buffer.js';

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
  /** Separate pieces held by all messages in progress: at most `maxRanges` per direction, not per message. */
  private pieces = 0;
  constructor(private readonly cap = DTLS_REASSEMBLY_CAP, private readonly maxRanges = MAX_RANGES, private readonly budget?: PieceBudget) {}

  /** Separate received pieces held by the messages in progress (bounded by maxRanges for the whole direction). */
  get pieceCount(): number {
    return this.pieces;
  }

  private drop(seq: number, p: Partial): FragmentResult {
    this.partials.delete(seq);
    this.held -= p.length;
    this.pieces -= p.data.rangeCount;
    p.data.clear();
    this.dropped.add(seq);
    return { kind: 'too_many_fragments' };
  }

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
      p = { msgType: f.msgType, length: f.length, data: new RangeBuffer(f.length, this.maxRanges, this.budget) };
      this.held += f.length;
      this.partials.set(f.messageSeq, p);
    } else if (p.msgType !== f.msgType || p.length !== f.length) {
      return { kind: 'inconsistent' };
    }
    const before = p.data.rangeCount;
    if (!p.data.add(f.offset, f.data)) return this.drop(f.messageSeq, p);
    this.pieces += p.data.rangeCount - before;
    // each piece costs an object and a buffer (a few hundred bytes) for as little as one byte of input:
    // the pieces of all messages in progress share one budget, so 64 messages cannot hold 64 x maxRanges
    if (this.pieces > this.maxRanges) return this.drop(f.messageSeq, p);
    const r0 = p.data.first();
    if (p.length === 0 || (p.data.rangeCount === 1 && r0 !== undefined && r0.start === 0 && r0.end === p.length)) {
      this.partials.delete(f.messageSeq);
      this.held -= p.length;
      this.pieces -= p.data.rangeCount;
      this.done.add(f.messageSeq);
      const body = r0 === undefined ? new Uint8Array(0) : r0.base === 0 && r0.buf.length === p.length ? r0.buf : RangeBuffer.slice(r0, 0, p.length);
      p.data.clear();
      return { kind: 'complete', msgType: p.msgType, messageSeq: f.messageSeq, body };
    }
    return { kind: 'partial' };
  }

  reset(): void {
    for (const p of this.partials.values()) p.data.clear();
    this.partials.clear();
    this.done.clear();
    this.dropped.clear();
    this.held = 0;
    this.pieces = 0;
  }
}
