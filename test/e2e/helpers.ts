import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'tlsscope.js');
export const FIXTURES = join(ROOT, 'fixtures');
export const SHARED = resolve(ROOT, '..', 'shared', 'captures');
export const HAVE_SHARED = existsSync(join(SHARED, 'compare.py'));

/** Run the real CLI (built by `npm test`'s tsc step). */
export function cli(args: string[], input?: Buffer): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
}

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort();
}

/** Every pcap/pcapng under `dir` (recursively; with `gz`, gzip-compressed ones too), sorted; none when `dir` is absent. */
export function captureFiles(dir: string, gz = false): string[] {
  if (!existsSync(dir)) return [];
  const re = gz ? /\.(pcap|pcapng|cap)(\.gz)?$/ : /\.(pcap|pcapng|cap)$/;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => re.test(f))
    .map((f) => join(dir, f))
    .sort();
}
