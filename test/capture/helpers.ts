import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Packet } from '../../src/core/types.js';
import { openCapture, type OpenCaptureOptions } from '../../src/capture/open.js';
import type { CaptureReader } from '../../src/capture/types.js';

export interface ReadResult {
  reader: CaptureReader;
  packets: Packet[];
}

let dir: string | undefined;
let n = 0;
/** Write bytes to a fresh temp file and return its path. */
export function tmpFile(bytes: Uint8Array, ext = '.bin'): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tlsscope-cap-'));
  const p = join(dir, `f${n++}${ext}`);
  writeFileSync(p, bytes);
  return p;
}

/** Open + run, copying every packet's data. */
export async function readAll(source: string | NodeJS.ReadableStream, opts?: OpenCaptureOptions): Promise<ReadResult> {
  const reader = await openCapture(source, opts);
  const packets: Packet[] = [];
  await reader.run((p) => packets.push({ ...p, data: Uint8Array.from(p.data) }));
  return { reader, packets };
}

/** Read bytes through a file (default) or as a Readable split into chunks of `chunk` bytes. */
export async function readBytes(bytes: Uint8Array, opts: OpenCaptureOptions & { via?: 'file' | 'stream'; chunk?: number } = {}): Promise<ReadResult> {
  if (opts.via === 'stream') {
    const chunk = opts.chunk ?? 7;
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunk) parts.push(Buffer.from(bytes.subarray(i, i + chunk)));
    return readAll(Readable.from(parts), opts);
  }
  return readAll(tmpFile(bytes), opts);
}

export function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
