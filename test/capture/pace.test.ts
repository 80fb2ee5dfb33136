/** Output backpressure: the capture is read only as fast as `pace` allows (export to a slow pipe stays bounded). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { analyze } from '../../src/analyze.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');

function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

describe('analyze pace', () => {
  it('reads the next chunk only when pace lets it, and loses nothing', async () => {
    const bytes = readFileSync(join(FIX, 'demo.pcapng'));
    const all = (await analyze(chunked(bytes, 4096))).sessions.length;
    let calls = 0;
    let held: (() => void) | null = null;
    let seenWhileHeld = -1;
    let sessions = 0;
    const run = analyze(chunked(bytes, 4096), {
      keepSessions: false,
      onSession: () => {
        sessions++;
      },
      pace: () => {
        calls++;
        // hold the reader once, half-way through the file
        if (calls !== Math.floor(bytes.length / 4096 / 2)) return undefined;
        return new Promise<void>((res) => {
          held = res;
        });
      },
    });
    // while held, nothing more is read: the session count stays where it was
    for (let i = 0; i < 50 && held === null; i++) await new Promise((r) => setTimeout(r, 5));
    expect(held).not.toBeNull();
    seenWhileHeld = sessions;
    await new Promise((r) => setTimeout(r, 50));
    expect(sessions).toBe(seenWhileHeld);
    expect(sessions).toBeLessThan(all);
    (held as unknown as () => void)();
    await run;
    expect(sessions).toBe(all);
    expect(calls).toBeGreaterThan(10);
  });
});
