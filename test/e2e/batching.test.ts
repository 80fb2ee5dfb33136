/**
 * A capture gives the same sessions and conversations however it is read:
 * from the file (1 MiB reads) or as a stream in small pieces (a pipe, stdin).
 * A closed connection's session ends at the packet that closed it, and its
 * flow becomes a tombstone right there, not when the read batch is done (see
 * README, "When a session ends and is reported").
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { FIXTURES, SHARED, captureFiles } from './helpers.js';
import { analyze } from '../../src/analyze.js';
import type { Session } from '../../src/core/model.js';

const NOW = new Date('2026-11-25T00:00:00Z');


function pieces(file: string, size: number): Readable {
  const data = readFileSync(file);
  const parts: Buffer[] = [];
  for (let o = 0; o < data.length; o += size) parts.push(data.subarray(o, o + size));
  return Readable.from(parts, { objectMode: false });
}

function text(r: { sessions: Session[]; flows: unknown[] }): string {
  return JSON.stringify([r.sessions, r.flows]);
}

async function same(files: string[]): Promise<number> {
  for (const f of files) {
    const file = text(await analyze(f, { now: NOW, flows: true }));
    for (const size of [65536, 4096]) {
      const pipe = text(await analyze(pieces(f, size), { now: NOW, flows: true }));
      expect(pipe, `${f} in ${size / 1024} KiB pieces`).toBe(file);
    }
  }
  return files.length;
}

describe('the same sessions from a file and from a stream', () => {
  it('fixtures/', async () => {
    expect(await same(captureFiles(FIXTURES))).toBeGreaterThan(15);
  }, 120_000);

  it.skipIf(!existsSync(SHARED))('../shared/captures', async () => {
    expect(await same(captureFiles(SHARED))).toBeGreaterThan(60);
  }, 300_000);
});
