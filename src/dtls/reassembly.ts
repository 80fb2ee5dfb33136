/**
 * DTLS handshake message reassembly (RFC 6347 4.2.3, RFC 9147 5.5): fragments
 * of one message (same message_seq) may arrive in any order, overlap, or be
 * retransmitted; a message is delivered once, when all its bytes are in.
 * Memory is bounded by `cap` bytes of messages in progress per direction.
 */
import type { HandshakeFragment } from './record.js';

export const DTLS_REASSEMBLY_CAP = 64 * 1024;

interface Partial {
  msgType: number;
  length: number;
  buf: Uint8Array;
  ranges: Array<[number, number]>;
}

export type FragmentResult =
  | { kind: 'complete'; msgType: number; messageSeq: number; body: Uint8Array }
  | { kind: 'partial' }
  | { kind: 'duplicate' }
  | { kind: 'too_big' }
  | { kind: 'inconsistent' };

export class HandshakeReassembler {
  private partials = new Map<number, Partial>();
  private done = new Set<number>();
  private held = 0;
  constructor(private readonly cap = DTLS_REASSEMBLY_CAP) {}

  /** Whether message_seq `seq` was already delivered. */
  isDone(seq: number): boolean {
    return this.done.has(seq);
  }

  add(f: HandshakeFragment): FragmentResult {
    if (this.done.has(f.messageSeq)) return { kind: 'duplicate' };
    let p = this.partials.get(f.messageSeq);
    if (!p) {
      if (f.offset === 0 && f.data.length === f.length) {
        this.done.add(f.messageSeq);
        return { kind: 'complete', msgType: f.msgType, messageSeq: f.messageSeq, body: f.data.slice() };
      }
      if (this.held + f.length > this.cap || this.partials.size >= 64) return { kind: 'too_big' };
      p = { msgType: f.msgType, length: f.length, buf: new Uint8Array(f.length), ranges: [] };
      this.held += f.length;
      this.partials.set(f.messageSeq, p);
    } else if (p.msgType !== f.msgType || p.length !== f.length) {
      return { kind: 'inconsistent' };
    }
    if (f.data.length > 0) {
      p.buf.set(f.data, f.offset);
      p.ranges.push([f.offset, f.offset + f.data.length]);
      p.ranges.sort((a, b) => a[0] - b[0]);
      const merged: Array<[number, number]> = [];
      for (const r of p.ranges) {
        const last = merged[merged.length - 1];
        if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
        else merged.push([r[0], r[1]]);
      }
      p.ranges = merged;
    }
    const r0 = p.ranges[0];
    if (p.length === 0 || (p.ranges.length === 1 && r0 !== undefined && r0[0] === 0 && r0[1] === p.length)) {
      this.partials.delete(f.messageSeq);
      this.held -= p.length;
      this.done.add(f.messageSeq);
      return { kind: 'complete', msgType: p.msgType, messageSeq: f.messageSeq, body: p.buf };
    }
    return { kind: 'partial' };
  }

  reset(): void {
    this.partials.clear();
    this.done.clear();
    this.held = 0;
  }
}
