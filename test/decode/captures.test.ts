/**
 * Real captures (when ../shared/captures exists): the TCP/UDP conversations
 * the decoder's segments form must equal what `tshark -z conv,tcp/udp`
 * lists (expected/conv/<set>/<capture>.json), with the same frame counts.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openCapture } from '../../src/capture/open.js';
import { Decoder } from '../../src/decode/decoder.js';

const ROOT = resolve(process.env.TLSSCOPE_CAPTURES ?? join(import.meta.dirname, '../../../shared/captures'));
const SETS = ['zeek', 'ja4'];

interface ConvEntry {
  transport: string;
  a: { ip: string; port: number };
  b: { ip: string; port: number };
  packets: number;
}

function key(t: string, aIp: string, aPort: number, bIp: string, bPort: number): string {
  const x = `${aIp}|${aPort}`;
  const y = `${bIp}|${bPort}`;
  return `${t} ${x < y ? `${x} ${y}` : `${y} ${x}`}`;
}

describe.skipIf(!existsSync(join(ROOT, 'expected/conv')))('real captures: conversations match tshark', () => {
  for (const set of SETS) {
    const dir = join(ROOT, set);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const ef = join(ROOT, 'expected/conv', set, `${name}.json`);
      if (!existsSync(ef)) continue;
      it(`${set}/${name}`, async () => {
        const expected = new Map<string, number>();
        for (const e of JSON.parse(readFileSync(ef, 'utf8')) as ConvEntry[]) {
          const k = key(e.transport, e.a.ip, e.a.port, e.b.ip, e.b.port);
          expected.set(k, (expected.get(k) ?? 0) + e.packets);
        }
        const got = new Map<string, number>();
        const dec = new Decoder({
          segment(s) {
            const k = key(s.proto === 6 ? 'tcp' : 'udp', s.srcIp, s.srcPort, s.dstIp, s.dstPort);
            got.set(k, (got.get(k) ?? 0) + 1);
          },
          anomaly() {},
        });
        const reader = await openCapture(join(dir, name));
        await reader.run((p) => dec.decode(p));
        dec.finish();
        expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
      });
    }
  }
});
