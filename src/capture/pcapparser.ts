/**
 * Adapter serving classic microsecond pcap (draft-ietf-opsawg-pcap, magic
 * 0xA1B2C3D4 in either byte order) through the pcap-parser 0.2.1 library,
 * behind the same CaptureReader interface as the built-in readers.
 *
 * pcap-parser emits 'globalHeader', 'packetHeader', 'packet', 'end' and
 * 'error' (and throws uncaught without an 'error' listener). It buffers a
 * whole record before emitting it, so a header claiming a huge captured length
 * is caught at 'packetHeader' and reading is stopped there (same cap as the
 * built-in reader). A file cut mid-record is detected by comparing the bytes
 * fed with the bytes parsed.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { EventEmitter } from 'node:events';
import { CaptureError, type CaptureWarning, type Packet } from '../core/types.js';
import { isZlibError } from './base.js';
import { PCAP_HEADER_LEN, PCAP_MAX_EXTRA, PCAP_RECORD_HEADER_LEN, pcapInterface, type PcapHeader } from './pcap.js';
import type { ChunkSource } from './source.js';
import type { CaptureInfo, CaptureReader, DecryptionSecret, InterfaceInfo } from './types.js';

interface PcapParserPacketHeader {
  timestampSeconds: number;
  timestampMicroseconds: number;
  capturedLength: number;
  originalLength: number;
}

interface PcapParserModule {
  parse(input: string | NodeJS.ReadableStream): EventEmitter;
}

const require = createRequire(import.meta.url);
let mod: PcapParserModule | undefined;

function pcapParser(): PcapParserModule {
  mod ??= require('pcap-parser') as PcapParserModule;
  return mod;
}

export class PcapParserReader implements CaptureReader {
  readonly interfaces: InterfaceInfo[] = [];
  readonly warnings: CaptureWarning[] = [];
  readonly secrets: DecryptionSecret[] = [];
  private readonly maxCap: number;
  private readonly seen = new Map<string, number>();

  /** `src` must be positioned at offset 0 (the file header is fed to pcap-parser). */
  constructor(
    readonly info: CaptureInfo,
    private readonly src: ChunkSource,
    private readonly name: string,
    private readonly h: PcapHeader,
  ) {
    this.maxCap = PCAP_MAX_EXTRA + Math.min(h.snapLen, 16 << 20);
    // pcap-parser reads microsecond files only (open.ts sends it nothing else)
    this.interfaces.push(pcapInterface(h, (code, offset, message) => this.warn(code, offset, message)));
  }

  private warn(code: string, offset: number, message: string): void {
    const n = this.seen.get(code);
    if (n === undefined) {
      this.seen.set(code, 1);
      this.warnings.push({ code, offset, message });
    } else this.seen.set(code, n + 1);
  }

  run(onPacket: (p: Packet) => void): Promise<void> {
    const src = this.src;
    let fed = 0;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (;;) {
        const c = await src.next();
        if (c === null) return;
        fed += c.length;
        yield c;
      }
    }
    const stream = Readable.from(chunks(), { objectMode: false });
    const linkType = this.h.linkType;
    const snapLen = this.h.snapLen;
    let consumed = PCAP_HEADER_LEN;
    let index = 0;
    let done = false;
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: unknown): void => {
        if (done) return;
        done = true;
        for (const w of this.warnings) {
          const n = this.seen.get(w.code) ?? 1;
          if (n > 1) w.message += ` (${n - 1} more)`;
        }
        stream.destroy();
        void src.close();
        if (err !== undefined) reject(err);
        else resolve();
      };
      const parser = pcapParser().parse(stream);
      parser.on('packetHeader', (h: PcapParserPacketHeader) => {
        if (done) return;
        if (h.capturedLength > this.maxCap) {
          this.warn('record_too_large', consumed, `record at offset ${consumed} claims ${h.capturedLength} captured bytes (cap ${this.maxCap}); reading stopped`);
          finish();
        }
      });
      parser.on('packet', (p: { header: PcapParserPacketHeader; data: Buffer }) => {
        if (done) return;
        const h = p.header;
        const off = consumed;
        consumed += PCAP_RECORD_HEADER_LEN + h.capturedLength;
        let tsSec = h.timestampSeconds;
        let usec = h.timestampMicroseconds;
        if (usec >= 1e6) {
          this.warn('bad_timestamp_fraction', off + 4, `sub-second field ${usec} >= 1000000; normalized`);
          tsSec += Math.floor(usec / 1e6);
          usec %= 1e6;
        }
        let origLen = h.originalLength;
        if (origLen < h.capturedLength) {
          this.warn('caplen_exceeds_origlen', off + 8, `captured length ${h.capturedLength} > original length ${origLen}`);
          origLen = h.capturedLength;
        }
        if (h.capturedLength > snapLen && snapLen !== 0) {
          this.warn('caplen_exceeds_snaplen', off + 8, `captured length ${h.capturedLength} > snaplen ${snapLen}`);
        }
        try {
          onPacket({
            index: index++,
            interfaceId: 0,
            linkType,
            tsSec,
            tsNsec: usec * 1000,
            capLen: h.capturedLength,
            origLen,
            data: p.data,
          });
        } catch (e) {
          finish(e);
        }
      });
      parser.on('error', (e: unknown) => {
        if (done) return;
        if (isZlibError(e)) {
          this.warn('gzip_error', fed, `gzip stream error: ${(e as Error).message}`);
          finish();
        } else {
          finish(new CaptureError(this.name, consumed, `pcap-parser: ${e instanceof Error ? e.message : String(e)}`));
        }
      });
      parser.on('end', () => {
        if (done) return;
        if (fed > consumed) {
          const left = fed - consumed;
          const what = left < PCAP_RECORD_HEADER_LEN ? 'header' : 'record';
          this.warn('truncated_file', consumed, `file ends mid-${what} at offset ${consumed} (${left} bytes left over)`);
        }
        finish();
      });
    });
  }
}
