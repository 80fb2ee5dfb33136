/**
 * Reassembly of one direction's CRYPTO stream (RFC 9000 19.6) into TLS
 * handshake messages (type u8, length u24, body: RFC 8446 4), whatever the
 * order and overlap of the frames. Bytes beyond `cap` are dropped (bounded
 * memory); a message that does not fit stops the stream.
 *
 * Captures are hostile input: storage grows with the bytes that arrived, not
 * with the offsets frames claim (see RangeBuffer), and a stream that arrives
 * as more than MAX_RANGES separate pieces is abandoned (`tooFragmented`).
 */
import { MAX_RANGES, RangeBuffer, type PieceBudget } from '../core/range-buffer.js';

export const CRYPTO_CAP = 64 * 1024;

export class CryptoStream {
  /** Received ranges, sorted, non-overlapping, merged, with their bytes. */
  private data: RangeBuffer;
  /** Offset of the next undelivered message. */
  private consumed = 0;
  /** Set by release(): nothing more is stored. */
  private released = false;
  /** Set once a message could not be taken (too big for the cap). */
  overflow = false;
  /** Bytes dropped because they were beyond the cap. */
  dropped = 0;
  /** Set when the stream came in more than MAX_RANGES separate pieces: abandoned, nothing more is stored or delivered. */
  tooFragmented = false;

  constructor(private readonly cap = CRYPTO_CAP, maxRanges = MAX_RANGES, budget?: PieceBudget) {
    this.data = new RangeBuffer(cap, maxRanges, budget);
  }

  /** Bytes of storage held (grows with the bytes received, not the offsets claimed). */
  get bufferedBytes(): number {
    return this.data.bufferedBytes;
  }

  /** Add a CRYPTO frame's data. Returns true when new bytes were stored. */
  add(offset: number, data: Uint8Array): boolean {
    if (data.length === 0 || this.tooFragmented) return false;
    let start = offset;
    let end = offset + data.length;
    if (end > this.cap) {
      this.dropped += end - Math.max(start, this.cap);
      end = this.cap;
    }
    if (start < this.consumed) start = this.consumed;
    if (start >= end) return false;
    if (this.released) return true; // nothing is delivered after release(): the bytes need not be kept
    if (!this.data.add(start, data.subarray(start - offset, end - offset))) {
      this.tooFragmented = true;
      this.data.clear();
      return false;
    }
    return true;
  }

  /** End of the contiguous bytes from offset 0 (0 if offset 0 not yet received). */
  get contiguous(): number {
    const r = this.data.first();
    return r && r.start <= this.consumed ? r.end : this.consumed;
  }

  /** True when something was received but the stream has a hole before it. */
  get hasHole(): boolean {
    const n = this.data.rangeCount;
    return n > 1 || (n === 1 && this.data.first()!.start > this.consumed);
  }

  /** Complete handshake messages now available in order (type, body copy). */
  takeMessages(): Array<{ type: number; body: Uint8Array }> {
    const out: Array<{ type: number; body: Uint8Array }> = [];
    const r = this.data.first();
    if (!r || r.start > this.consumed || this.tooFragmented) return out;
    const end = r.end;
    const at = (i: number): number => RangeBuffer.at(r, i);
    while (!this.overflow && end - this.consumed >= 4) {
      const p = this.consumed;
      const len = (at(p + 1) << 16) | (at(p + 2) << 8) | at(p + 3);
      if (p + 4 + len > this.cap) {
        this.overflow = true;
        break;
      }
      if (p + 4 + len > end) break;
      out.push({ type: at(p), body: RangeBuffer.slice(r, p + 4, p + 4 + len) });
      this.consumed = p + 4 + len;
    }
    return out;
  }

  /** Frees the buffer (after the handshake). */
  release(): void {
    this.data.clear();
    this.released = true;
    this.overflow = true;
  }
}
