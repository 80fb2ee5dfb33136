import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CaptureError } from '../../src/core/types.js';
import { writePcap, writePcapng, type WriteSection } from '../../src/capture/writer.js';
import { readAll, readBytes } from './helpers.js';

const packetArb = fc.record({
  tsSec: fc.integer({ min: 0, max: 0xffffffff }),
  tsUs: fc.integer({ min: 0, max: 999_999 }),
  tsNs: fc.integer({ min: 0, max: 999 }),
  data: fc.uint8Array({ maxLength: 300 }),
  extra: fc.integer({ min: 0, max: 3 }),
});

describe('round trips (writer -> reader)', () => {
  it('classic pcap', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(packetArb, { maxLength: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        async (ps, nanosecond, bigEndian, chunk) => {
          const w = ps.map((p) => ({ tsSec: p.tsSec, tsNsec: p.tsUs * 1000 + (nanosecond ? p.tsNs : 0), data: p.data, origLen: p.data.length + p.extra }));
          const file = writePcap(w, { linkType: 1, nanosecond, bigEndian, snapLen: 0 });
          const { packets, reader } = await readBytes(file, { via: 'stream', chunk });
          expect(reader.warnings).toEqual([]);
          expect(packets.map((p) => [p.tsSec, p.tsNsec, p.origLen, Buffer.from(p.data).toString('hex')])).toEqual(
            w.map((p) => [p.tsSec, p.tsNsec, p.origLen, Buffer.from(p.data).toString('hex')]),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('pcapng (several sections, interfaces, resolutions, byte orders)', async () => {
    const sectionArb = fc.record({
      bigEndian: fc.boolean(),
      ifs: fc.array(fc.record({ linkType: fc.integer({ min: 0, max: 300 }), tsresol: fc.constantFrom(6, 9, 3, 0, 10), tsoffset: fc.integer({ min: -1000, max: 1000 }) }), { minLength: 1, maxLength: 4 }),
      packets: fc.array(fc.record({ p: packetArb, iface: fc.nat(), block: fc.constantFrom('epb' as const, 'pb' as const) }), { maxLength: 10 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(sectionArb, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 100 }), async (secs, chunk) => {
        const expected: [number, number, number, number, string][] = [];
        let base = 0;
        const sections: WriteSection[] = secs.map((s) => {
          const packets = s.packets.map(({ p, iface, block }) => {
            const i = iface % s.ifs.length;
            const f = s.ifs[i]!;
            const ns = p.tsUs * 1000 + p.tsNs;
            const unit = 10 ** (9 - Math.min(f.tsresol, 9));
            const sec = Math.min(Math.max(p.tsSec, 1001), 1_800_000_000); // 10^-10 units must fit 64 bits
            expected.push([base + i, sec, ns - (ns % unit), p.data.length + p.extra, Buffer.from(p.data).toString('hex')]);
            return { interfaceId: i, tsSec: sec, tsNsec: ns, data: p.data, origLen: p.data.length + p.extra, block };
          });
          base += s.ifs.length;
          return { bigEndian: s.bigEndian, interfaces: s.ifs, packets };
        });
        const { packets, reader } = await readBytes(writePcapng(sections), { via: 'stream', chunk });
        expect(reader.warnings).toEqual([]);
        expect(packets.map((p) => [p.interfaceId, p.tsSec, p.tsNsec, p.origLen, Buffer.from(p.data).toString('hex')])).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});

/** Open + run; the only allowed failure is a CaptureError from openCapture. */
async function survive(b: Uint8Array, chunk: number): Promise<void> {
  let reader;
  try {
    reader = await readBytes(b, { via: 'stream', chunk });
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    return;
  }
  for (const p of reader.packets) {
    expect(p.capLen).toBe(p.data.length);
    expect(p.origLen).toBeGreaterThanOrEqual(p.capLen);
  }
}

describe('fuzz', () => {
  const pcap = writePcap(
    Array.from({ length: 8 }, (_, i) => ({ tsSec: i, tsNsec: i * 1000, data: new Uint8Array(20 + i), origLen: 30 + i })),
    { linkType: 1 },
  );
  const ng = writePcapng([
    {
      interfaces: [{ linkType: 1, tsresol: 9, name: 'x' }, { linkType: 101, tsresol: 0x80 | 20 }],
      packets: Array.from({ length: 8 }, (_, i) => ({ interfaceId: i % 2, tsSec: i, tsNsec: 0, data: new Uint8Array(20 + i), block: (['epb', 'spb', 'pb'] as const)[i % 3]! })),
    },
    { bigEndian: true, interfaces: [{ linkType: 1 }], packets: [{ interfaceId: 0, tsSec: 1, tsNsec: 0, data: new Uint8Array(9) }] },
  ]);

  it('random bytes never throw (other than CaptureError at open)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), async (b, chunk) => survive(b, chunk)),
      { numRuns: 300 },
    );
  });

  it('random bytes after a valid header never throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(pcap.subarray(0, 24), ng.subarray(0, 28)), fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 300 }), async (h, b, chunk) =>
        survive(Buffer.concat([h, b]), chunk),
      ),
      { numRuns: 300 },
    );
  });

  it('mutated valid files never throw and terminate (also gzip and pcap-parser)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(pcap, ng),
        fc.array(fc.record({ at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 200 }),
        async (file, muts, cut, chunk) => {
          const b = Buffer.from(file);
          for (const m of muts) b[m.at % b.length] = m.v;
          const t = b.subarray(0, b.length - (cut % 40));
          await survive(t, chunk);
          try {
            await readBytes(t, { pcapImpl: 'pcap-parser' });
          } catch (e) {
            expect(e).toBeInstanceOf(CaptureError);
          }
          try {
            await readBytes(gzipSync(t).subarray(0, 10 + (cut % 200)));
          } catch (e) {
            expect(e).toBeInstanceOf(CaptureError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

const SHARED = fileURLToPath(new URL('../../../shared/captures', import.meta.url));
for (const sub of ['zeek', 'ja4']) {
  const dir = join(SHARED, sub);
  describe.skipIf(!existsSync(dir))(`real captures: ${sub}`, () => {
    it('every capture opens and yields packets without throwing', async () => {
      const files = readdirSync(dir).filter((f) => /\.(pcap|pcapng|cap|trace|dump)(\.gz)?$/i.test(f) && statSync(join(dir, f)).isFile());
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const { reader, packets } = await readAll(join(dir, f));
        expect(packets.length, f).toBeGreaterThan(0);
        for (const p of packets) expect(p.capLen).toBe(p.data.length);
        if (reader.info.format === 'pcap' && !reader.interfaces[0]!.tsUnitsPerSec.toString().startsWith('1e9')) {
          if (reader.interfaces[0]!.tsUnitsPerSec === 1e6) {
            const b = await readAll(join(dir, f), { pcapImpl: 'pcap-parser' });
            expect(b.packets.length, f).toBe(packets.length);
          }
        }
      }
    });
  });
}
