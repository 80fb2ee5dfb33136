/**
 * Reassembly of one direction's CRYPTO stream (RFC 9000 19.6) into TLS
 * handshake messages (type u8, length u24, body: RFC 8446 4), whatever the
 * order and overlap of the frames. Bytes beyond `cap` are dropped (bounded
 * memory); a message that does not fit stops the stream.
 */
export const CRYPTO_CAP = 64 * 1024;

export class CryptoStream {
  private buf: Uint8Array = new Uint8Array(0);
  /** Received ranges [start, end), sorted, non-overlapping, merged. */
  private ranges: Array<[number, number]> = [];
  /** Offset of the next undelivered message. */
  private consumed = 0;
  /** Set once a message could not be taken (too big for the cap). */
  overflow = false;
  /** Bytes dropped because they were beyond the cap. */
  dropped = 0;

  constructor(private readonly cap = CRYPTO_CAP) {}

  /** Add a CRYPTO frame's data. Returns true when new bytes were stored. */
  add(offset: number, data: Uint8Array): boolean {
    if (data.length === 0) return false;
    let start = offset;
    let end = offset + data.length;
    if (end > this.cap) {
      this.dropped += end - Math.max(start, this.cap);
      end = this.cap;
    }
    if (start < this.consumed) start = this.consumed;
    if (start >= end) return false;
    if (this.buf.length < end) {
      const nb = new Uint8Array(Math.min(this.cap, Math.max(end, this.buf.length * 2, 2048)));
      nb.set(this.buf);
      this.buf = nb;
    }
    this.buf.set(data.subarray(start - offset, end - offset), start);
    this.ranges.push([start, end]);
    this.ranges.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of this.ranges) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.ranges = merged;
    return true;
  }

  /** End of the contiguous bytes from offset 0 (0 if offset 0 not yet received). */
  get contiguous(): number {
    const r = this.ranges[0];
    return r && r[0] <= this.consumed ? r[1] : this.consumed;
  }

  /** True when something was received but the stream has a hole before it. */
  get hasHole(): boolean {
    return this.ranges.length > 1 || (this.ranges.length === 1 && this.ranges[0]![0] > this.consumed);
  }

  /** Complete handshake messages now available in order (type, body copy). */
  takeMessages(): Array<{ type: number; body: Uint8Array }> {
    const out: Array<{ type: number; body: Uint8Array }> = [];
    const end = this.contiguous;
    while (!this.overflow && end - this.consumed >= 4) {
      const p = this.consumed;
      const len = (this.buf[p + 1]! << 16) | (this.buf[p + 2]! << 8) | this.buf[p + 3]!;
      if (p + 4 + len > this.cap) {
        this.overflow = true;
        break;
      }
      if (p + 4 + len > end) break;
      out.push({ type: this.buf[p]!, body: this.buf.slice(p + 4, p + 4 + len) });
      this.consumed = p + 4 + len;
    }
    return out;
  }

  /** Frees the buffer (after the handshake). */
  release(): void {
    this.buf = new Uint8Array(0);
    this.ranges = [];
    this.overflow = true;
  }
}
