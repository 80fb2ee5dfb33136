/**
 * A capture gives the same sessions however it is read: from the file (1 MiB
 * reads) or as a stream in small pieces (a pipe, stdin). A closed connection's
 * session ends at the packet that closed it, whenever the close is processed;
 * only an anomaly in a packet after the close can depend on where the read
 * batches fall (see README, "When a session ends and is reported").
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

function text(sessions: Session[], withAnomalies: boolean): string {
  return JSON.stringify(sessions.map((s) => (withAnomalies ? s : { ...s, anomalies: [] })));
}

async function same(files: string[]): Promise<number> {
  for (const f of files) {
    const file = (await analyze(f, { now: NOW })).sessions;
    const pipe = (await analyze(pieces(f, 65536), { now: NOW })).sessions;
    expect(text(pipe, true), `${f} in 64 KiB pieces`).toBe(text(file, true));
    const small = (await analyze(pieces(f, 4096), { now: NOW })).sessions;
    expect(text(small, false), `${f} in 4 KiB pieces`).toBe(text(file, false));
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
