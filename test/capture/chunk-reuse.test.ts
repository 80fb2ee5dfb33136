/**
 * A capture file's read buffers are used again once the reader is done with
 * them (capture/source.ts ChunkPool), so no stage may keep a view into packet
 * bytes. Here every chunk given back is filled with 0xEE at once, the chunks
 * are small (many of them per capture, records and messages split across
 * them), and every capture we have must give the same sessions, raw messages
 * and conversations as the same read into fresh buffers only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, ROOT, SHARED, captureFiles } from '../e2e/helpers.js';
import { analyze, type AnalyzeOptions } from '../../src/analyze.js';
import { ChunkPool } from '../../src/capture/source.js';
import { rawMessages } from '../../src/core/raw.js';
import { loadKeyLogFile } from '../../src/tls/keylog.js';

const NOW = new Date('2026-11-25T00:00:00Z');


async function view(file: string, extra: AnalyzeOptions): Promise<string> {
  const opts: AnalyzeOptions = { now: NOW, keepRaw: true, flows: true, ...extra };
  if (file.endsWith('tls13-keylog.pcap')) opts.keylog = loadKeyLogFile(join(ROOT, 'fixtures', 'tls13-keylog.keys')).keylog;
  const r = await analyze(file, opts);
  const raw = r.sessions.map((s) => (rawMessages(s) ?? []).map((m) => Buffer.from(m.bytes).toString('hex')));
  return JSON.stringify({ sessions: r.sessions, raw, flows: r.flows, warnings: r.warnings, anomalies: r.anomalies });
}

async function same(files: string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    for (const chunkSize of [4096, 65536]) {
      ChunkPool.reuse = false;
      const fresh = await view(f, { chunkSize });
      ChunkPool.reuse = true;
      ChunkPool.poison = true;
      try {
        expect(await view(f, { chunkSize }), `${f} read in ${chunkSize}-byte chunks`).toBe(fresh);
      } finally {
        ChunkPool.poison = false;
      }
    }
    n++;
  }
  return n;
}

describe('read buffers used again: no stage keeps a view into packet bytes', () => {
  afterEach(() => {
    ChunkPool.poison = false;
    ChunkPool.reuse = true;
  });

  it('the poison shows through a view that is kept (the check can fail)', () => {
    const pool = new ChunkPool(16);
    const b = pool.take();
    b.fill(1);
    const kept = b.subarray(4, 8);
    ChunkPool.poison = true;
    pool.give(kept);
    expect([...kept]).toEqual([0xee, 0xee, 0xee, 0xee]);
    // given back once only; foreign buffers are ignored
    pool.give(kept);
    pool.give(new Uint8Array(16));
    expect(pool.take()).toBe(b);
    expect(pool.take()).not.toBe(b);
  });

  it('fixtures/', async () => {
    expect(await same(captureFiles(FIXTURES))).toBeGreaterThan(15);
  }, 120_000);

  it.skipIf(!existsSync(SHARED))('../shared/captures (real traffic)', async () => {
    expect(await same(captureFiles(SHARED))).toBeGreaterThan(60);
  }, 600_000);
});
