/**
 * Open a capture: a path, '-' (stdin) or any Readable. The format is detected
 * from the content: gzip (1f 8b, decompressed on the fly, so `-` works with
 * gzip too), classic pcap (draft-ietf-opsawg-pcap section 4 magic numbers, both
 * byte orders) or pcapng (draft-ietf-opsawg-pcapng: Section Header Block type
 * 0x0A0D0D0A). Nothing is read beyond the first bytes until run() is called,
 * and reading is streaming, so a capture that is still being written
 * (`tcpdump -U -w - | tlsscope flows -`) is processed as it arrives.
 */
import { CaptureError } from '../core/types.js';
import { isZlibError } from './base.js';
import { PCAP_HEADER_LEN, PcapReader, parsePcapHeader, pcapMagic, readPcapHeader, type PcapHeader } from './pcap.js';
import { PcapngReader, PCAPNG_SHB, readPcapngStart } from './pcapng.js';
import { PcapParserReader } from './pcapparser.js';
import { ChunkPool, ChunkSource, DEFAULT_CHUNK, gunzipChunks, openPath, streamChunks } from './source.js';
import type { CaptureInfo, CaptureReader, OpenOptions } from './types.js';

export type OpenCaptureOptions = OpenOptions & {
  /** Name used in errors (default: the path, '<stdin>' or '<stream>'). */
  name?: string;
  /** Called before each chunk is taken from the source; the next read waits for the promise it returns (backpressure). */
  pace?: () => Promise<void> | undefined;
};

/** The source's chunks, each taken only once `pace` allows it. */
async function* paced(src: AsyncIterable<Buffer>, pace: () => Promise<void> | undefined): AsyncGenerator<Buffer> {
  for await (const chunk of src) {
    const wait = pace();
    if (wait !== undefined) await wait;
    yield chunk;
  }
}

export async function openCapture(source: string | NodeJS.ReadableStream, opts: OpenCaptureOptions = {}): Promise<CaptureReader> {
  const chunkSize = Math.max(4096, Math.min(opts.chunkSize ?? DEFAULT_CHUNK, 64 << 20));
  let name: string;
  let raw: AsyncIterable<Buffer>;
  let pool: ChunkPool | undefined;
  if (typeof source === 'string') {
    if (source === '-') {
      name = opts.name ?? '<stdin>';
      raw = streamChunks(process.stdin);
    } else {
      name = opts.name ?? source;
      pool = new ChunkPool(chunkSize);
      raw = await openPath(source, name, chunkSize, pool);
    }
  } else {
    name = opts.name ?? '<stream>';
    raw = streamChunks(source);
  }

  if (opts.pace) raw = paced(raw, opts.pace);
  let src = new ChunkSource(raw, pool);
  let n: number;
  try {
    n = await src.fill(4);
  } catch (e) {
    await src.close();
    throw new CaptureError(name, 0, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (n === 0) {
    await src.close();
    throw new CaptureError(name, 0, 'empty file');
  }
  let gzip = false;
  let head = src.peek(4);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    gzip = true;
    // Rebuild the stream: the buffered bytes first, then the rest, through gunzip.
    const inner = src;
    async function* rest(): AsyncGenerator<Buffer> {
      for (;;) {
        const c = await inner.next();
        if (c === null) return;
        yield c;
      }
    }
    src = new ChunkSource(gunzipChunks(rest(), chunkSize));
    try {
      n = await src.fill(4);
    } catch (e) {
      await src.close();
      throw new CaptureError(name, 0, isZlibError(e) ? `corrupt gzip data: ${(e as Error).message}` : `cannot read: ${String(e)}`);
    }
    if (n === 0) {
      await src.close();
      throw new CaptureError(name, 0, 'empty file (gzip)');
    }
    head = src.peek(4);
  }
  if (n < 4) {
    await src.close();
    throw new CaptureError(name, 0, `not a pcap or pcapng file (only ${n} byte${n === 1 ? '' : 's'})`);
  }
  const magic = head.readUInt32BE(0);
  const m = pcapMagic(head);
  try {
    if (m !== null) {
      const info: CaptureInfo = { format: 'pcap', gzip, byteOrder: m.le ? 'le' : 'be', reader: 'tlsscope' };
      const impl = opts.pcapImpl ?? 'auto';
      if (impl === 'pcap-parser') {
        if (!m.nano) {
          await src.fill(24);
          const h = parsePeek(src, name);
          return new PcapParserReader({ ...info, reader: 'pcap-parser' }, src, name, h);
        }
        const h = await readPcapHeader(src, name);
        const r = new PcapReader(info, src, name, h);
        r.warn('reader_fallback', 0, 'pcap-parser reads only microsecond pcap; built-in reader used');
        return r;
      }
      const h = await readPcapHeader(src, name);
      return new PcapReader(info, src, name, h);
    }
    if (magic === PCAPNG_SHB) {
      const order = await readPcapngStart(src, name);
      const info: CaptureInfo = { format: 'pcapng', gzip, byteOrder: order, reader: 'tlsscope' };
      const r = new PcapngReader(info, src, name);
      if (opts.pcapImpl === 'pcap-parser') r.warn('reader_fallback', 0, 'pcap-parser reads only microsecond pcap; built-in reader used');
      return r;
    }
  } catch (e) {
    await src.close();
    if (e instanceof CaptureError) throw e;
    throw new CaptureError(name, 0, isZlibError(e) ? `corrupt gzip data: ${(e as Error).message}` : `cannot read: ${String(e)}`);
  }
  await src.close();
  throw new CaptureError(name, 0, `not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`);
}

function parsePeek(src: ChunkSource, name: string): PcapHeader {
  const b = src.peek(PCAP_HEADER_LEN);
  const h = parsePcapHeader(b);
  if (h === null) throw new CaptureError(name, b.length, `truncated pcap file header (${b.length} of ${PCAP_HEADER_LEN} bytes)`);
  return h;
}
