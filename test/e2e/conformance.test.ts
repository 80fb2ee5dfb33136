/**
 * Real-capture conformance against tshark 4.0.17 and the FoxIO ja4 tool, with
 * the scoring scripts in ../shared/captures. Skipped cleanly when that folder
 * is absent (the captures are not part of this repository).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, HAVE_SHARED, SHARED } from './helpers.js';

function py(script: string, args: string[]): string {
  const r = spawnSync('python3', [join(SHARED, script), '--tool', `${process.execPath} ${BIN}`, ...args], {
    encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!HAVE_SHARED)('conformance on ../shared/captures', () => {
  for (const set of ['zeek', 'ja4']) {
    it(`flows: every conversation tshark lists in ${set} is found with the same packet count`, () => {
      const out = py('compare_flows.py', ['--timeout', '180', '--captures', join(SHARED, set), '--expected', join(SHARED, 'expected', 'conv', set), '--verbose']);
      const m = /flows: (\d+)\/(\d+)/.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![1]), out).toBe(Number(m![2]));
    }, 600_000);

    it(`export: at least 99% of fields agree with tshark/ja4 on ${set}, every capture exits 0`, () => {
      const extra = set === 'ja4' ? ['--ja4', join(SHARED, 'expected', 'ja4')] : [];
      const out = py('compare.py', ['--timeout', '180', '--captures', join(SHARED, set), '--expected', join(SHARED, 'expected', 'tshark', set), ...extra, '--verbose']);
      const runs = /runs_cleanly\s+(\d+)\/(\d+)/.exec(out);
      expect(runs, out).not.toBeNull();
      expect(runs![1], out).toBe(runs![2]);
      const m = /conformance: (\d+)\/(\d+) fields \(([\d.]+)%\) over TCP/.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![3]), out).toBeGreaterThanOrEqual(99);
    }, 600_000);
  }
});
