import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileChunks } from '../../src/capture/source.js';

async function collect(it: AsyncIterable<Buffer>, after?: (n: number) => void): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) {
    parts.push(Buffer.from(b));
    after?.(parts.length);
  }
  return Buffer.concat(parts);
}

describe('fileChunks (reads ahead at explicit offsets)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlsscope-src-'));

  it('returns the file in order, whatever the chunk size', async () => {
    const data = randomBytes(300_001);
    const f = join(dir, 'a.bin');
    writeFileSync(f, data);
    for (const chunk of [4096, 65536, 1 << 20]) {
      const fh = await open(f, 'r');
      expect((await collect(fileChunks(fh, chunk, data.length))).equals(data)).toBe(true);
    }
  });

  it('keeps reading a file that grows while it is read', async () => {
    const first = randomBytes(400_000);
    const more = randomBytes(100_000);
    const f = join(dir, 'grow.bin');
    writeFileSync(f, first);
    const fh = await open(f, 'r');
    const got = await collect(fileChunks(fh, 4096, first.length), (n) => {
      if (n === 1) appendFileSync(f, more);
    });
    expect(got.equals(Buffer.concat([first, more]))).toBe(true);
  });

  it('goes on right after a short read, without holes or repeats', async () => {
    const data = randomBytes(200_000);
    let calls = 0;
    // a handle that answers some reads with fewer bytes than asked
    const fake = {
      async read(buf: Buffer, off: number, len: number, pos: number | null) {
        calls++;
        const p = pos ?? 0;
        const n = Math.max(0, Math.min(calls % 4 === 2 ? Math.min(len, 1000) : len, data.length - p));
        data.copy(buf, off, p, p + n);
        return { bytesRead: n, buffer: buf };
      },
      async close() {},
    } as unknown as FileHandle;
    expect((await collect(fileChunks(fake, 16384, data.length))).equals(data)).toBe(true);
    expect(calls).toBeGreaterThan(200_000 / 16384);
  });

  it('cleans up', () => {
    rmSync(dir, { recursive: true, force: true });
  });
});
