/**
 * Shared chunk-driving loop for the built-in readers. A format supplies
 * `need()` (how many bytes the record at a position needs) and `consume()`
 * (parse every whole record in a range). Whole records are parsed in place in
 * the source chunk and handed out as views; only a record that straddles two
 * chunks is copied into a buffer of its own.
 *
 * A reader may hand the same Packet object to every `onPacket` call with its
 * fields rewritten (the pcap reader does): read the fields during the call
 * and copy the object to keep it. `data` stays valid until the reader is done
 * with its chunk (then given back to the source's ChunkPool and read into
 * again): copy the bytes to keep them.
 */
import { CaptureError, type CaptureWarning, type Packet } from '../core/types.js';
import type { CaptureInfo, CaptureReader, DecryptionSecret, InterfaceInfo } from './types.js';
import type { ChunkSource } from './source.js';

/** Returned by need()/consume() to stop reading (a warning has been added). */
export const STOP = -1;

export abstract class RecordReader implements CaptureReader {
  readonly interfaces: InterfaceInfo[] = [];
  readonly warnings: CaptureWarning[] = [];
  readonly secrets: DecryptionSecret[] = [];
  protected onPacket: (p: Packet) => void = () => undefined;
  protected index = 0;
  private readonly warnCount = new Map<string, number>();
  private ran = false;

  constructor(
    readonly info: CaptureInfo,
    protected readonly src: ChunkSource,
    protected readonly name: string,
    /** Minimum bytes needed to learn a record's length. */
    protected readonly headerLen: number,
  ) {}

  /**
   * Total bytes the record at `pos` needs, given `avail` bytes there.
   * Returns headerLen when avail < headerLen, STOP when the header is invalid.
   */
  protected abstract need(buf: Buffer, pos: number, avail: number, fileOff: number): number;

  /**
   * Parse whole records in buf[pos, end). Returns the position of the first
   * incomplete record (== end when all consumed) or STOP.
   * `base` is the file offset of buf[0].
   */
  protected abstract consume(buf: Buffer, pos: number, end: number, base: number): number;

  /** Add a warning; one entry per code, later occurrences counted. */
  warn(code: string, offset: number, message: string): void {
    const n = this.warnCount.get(code);
    if (n === undefined) {
      this.warnCount.set(code, 1);
      this.warnings.push({ code, offset, message });
    } else {
      this.warnCount.set(code, n + 1);
    }
  }

  private finishWarnings(): void {
    for (const w of this.warnings) {
      const n = this.warnCount.get(w.code) ?? 1;
      if (n > 1) w.message += ` (${n - 1} more)`;
      this.warnCount.set(w.code, 1);
    }
  }

  async run(onPacket: (p: Packet) => void): Promise<void> {
    if (this.ran) throw new Error('CaptureReader.run() called twice');
    this.ran = true;
    this.onPacket = onPacket;
    const src = this.src;
    let carry: Buffer | null = null;
    let carryLen = 0;
    let carryOff = 0;
    let stopped = false;
    try {
      for (;;) {
        let chunk: Buffer | null;
        const chunkOff = src.offset;
        try {
          chunk = await src.next();
        } catch (e) {
          if (isZlibError(e)) {
            this.warn('gzip_error', src.offset, `gzip stream error: ${(e as Error).message}`);
            break;
          }
          throw new CaptureError(this.name, src.offset, `read error: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (chunk === null) break;
        const end = chunk.length;
        let pos = 0;
        if (carry !== null) {
          // Complete the record straddling the previous chunk boundary.
          let need = 0;
          for (;;) {
            need = this.need(carry, 0, carryLen, carryOff);
            if (need === STOP) break;
            if (carryLen >= need) break;
            if (pos >= end) break;
            if (carry.length < need && carry.length - carryLen < end - pos) {
              // Grow geometrically, so a block claiming a large length in a
              // file that ends early does not allocate the full claim up front.
              const nb = Buffer.allocUnsafe(Math.min(need, Math.max(carry.length * 2, carryLen + (end - pos))));
              nb.set(carry.subarray(0, carryLen), 0);
              carry = nb;
            }
            const take = Math.min(need - carryLen, end - pos, carry.length - carryLen);
            carry.set(chunk.subarray(pos, pos + take), carryLen);
            carryLen += take;
            pos += take;
          }
          if (need === STOP) {
            stopped = true;
            break;
          }
          if (carryLen < need) {
            src.recycle(chunk); // used up (copied into carry), record still incomplete
            continue;
          }
          const r = this.consume(carry, 0, need, carryOff);
          carry = null;
          carryLen = 0;
          if (r === STOP) {
            stopped = true;
            break;
          }
        }
        const np = this.consume(chunk, pos, end, chunkOff);
        if (np === STOP) {
          stopped = true;
          break;
        }
        if (np < end) {
          const rest = end - np;
          const c = Buffer.allocUnsafe(Math.max(rest, this.headerLen));
          c.set(chunk.subarray(np, end), 0);
          carry = c;
          carryLen = rest;
          carryOff = chunkOff + np;
        }
        // every packet in it has been handled (the stages after this one copy what they keep)
        src.recycle(chunk);
      }
      if (!stopped && carry !== null && carryLen > 0) {
        const need = carryLen < this.headerLen ? this.headerLen : this.need(carry, 0, carryLen, carryOff);
        const what = carryLen < this.headerLen ? 'header' : 'record';
        this.warn(
          'truncated_file',
          carryOff,
          `file ends mid-${what} at offset ${carryOff} (${carryLen} of ${need > 0 ? need : '?'} bytes present)`,
        );
      }
    } finally {
      this.finishWarnings();
      await src.close();
    }
  }
}

export function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
