import { describe, expect, it } from 'vitest';
import { writePcap, pcapHeader, pcapRecord } from '../../src/capture/writer.js';
import { CAPTURE_ANOMALIES } from '../../src/capture/anomalies.js';
import { bytes, readBytes } from './helpers.js';

const pkts = [
  { tsSec: 1700000000, tsNsec: 123456000, data: bytes(60, 1) },
  { tsSec: 1700000001, tsNsec: 999999000, data: bytes(1514, 2) },
  { tsSec: 1700000002, tsNsec: 0, data: bytes(0, 3) },
  { tsSec: 4294967295, tsNsec: 1000, data: bytes(3, 4), origLen: 9000 },
];

describe('classic pcap', () => {
  for (const nanosecond of [false, true]) {
    for (const bigEndian of [false, true]) {
      for (const via of ['file', 'stream'] as const) {
        it(`reads ${nanosecond ? 'ns' : 'us'} ${bigEndian ? 'BE' : 'LE'} via ${via}`, async () => {
          const file = writePcap(pkts, { linkType: 1, nanosecond, bigEndian });
          const { reader, packets } = await readBytes(file, { via });
          expect(reader.info).toEqual({ format: 'pcap', gzip: false, byteOrder: bigEndian ? 'be' : 'le', reader: 'tlsscope' });
          expect(reader.interfaces).toEqual([{ id: 0, section: 0, linkType: 1, snapLen: 262144, tsUnitsPerSec: nanosecond ? 1e9 : 1e6, tsOffsetSec: 0 }]);
          expect(reader.warnings).toEqual([]);
          expect(packets.length).toBe(pkts.length);
          packets.forEach((p, i) => {
            const w = pkts[i]!;
            expect(p.index).toBe(i);
            expect(p.interfaceId).toBe(0);
            expect(p.linkType).toBe(1);
            expect(p.tsSec).toBe(w.tsSec);
            expect(p.tsNsec).toBe(w.tsNsec);
            expect(p.capLen).toBe(w.data.length);
            expect(p.origLen).toBe(w.origLen ?? w.data.length);
            expect(Buffer.from(p.data).equals(Buffer.from(w.data))).toBe(true);
          });
        });
      }
    }
  }

  it('keeps nanoseconds exactly', async () => {
    const file = writePcap([{ tsSec: 5, tsNsec: 123456789, data: bytes(10) }], { linkType: 101, nanosecond: true });
    const { packets } = await readBytes(file);
    expect(packets[0]!.tsNsec).toBe(123456789);
    expect(packets[0]!.linkType).toBe(101);
  });

  it('snaplen truncation: capLen < origLen', async () => {
    const file = writePcap([{ tsSec: 1, tsNsec: 0, data: bytes(96), origLen: 1500 }], { linkType: 1, snapLen: 96 });
    const { packets, reader } = await readBytes(file);
    expect(packets[0]!.capLen).toBe(96);
    expect(packets[0]!.origLen).toBe(1500);
    expect(reader.interfaces[0]!.snapLen).toBe(96);
    expect(reader.warnings).toEqual([]);
  });

  it('masks the upper bits of the LinkType field', async () => {
    const file = writePcap([{ tsSec: 1, tsNsec: 0, data: bytes(20) }], { linkType: 1, fcsBits: 0x4400 });
    const { packets, reader } = await readBytes(file);
    expect(packets[0]!.linkType).toBe(1);
    expect(reader.interfaces[0]!.linkType).toBe(1);
    expect(reader.warnings.map((w) => w.code)).toEqual(['link_type_high_bits']);
  });

  it('caplen > origlen: warning, origLen raised', async () => {
    const file = writePcap([{ tsSec: 1, tsNsec: 0, data: bytes(20), origLen: 10 }, { tsSec: 1, tsNsec: 0, data: bytes(20), origLen: 10 }], { linkType: 1 });
    const { packets, reader } = await readBytes(file);
    expect(packets.map((p) => [p.capLen, p.origLen])).toEqual([[20, 20], [20, 20]]);
    expect(reader.warnings).toHaveLength(1);
    expect(reader.warnings[0]!.code).toBe('caplen_exceeds_origlen');
    expect(reader.warnings[0]!.message).toMatch(/1 more/);
  });

  it('absurd caplen: packets before, warning, no huge allocation', async () => {
    const good = writePcap([{ tsSec: 1, tsNsec: 0, data: bytes(20) }], { linkType: 1, snapLen: 65535 });
    const bad = Buffer.alloc(16 + 100);
    bad.writeUInt32LE(0xfffffff0, 8);
    bad.writeUInt32LE(0xfffffff0, 12);
    const { packets, reader } = await readBytes(Buffer.concat([good, bad]));
    expect(packets).toHaveLength(1);
    expect(reader.warnings[0]).toMatchObject({ code: 'record_too_large', offset: good.length });
  });

  it('sub-second field >= 1 s is normalized', async () => {
    const rec = pcapRecord({ tsSec: 10, tsNsec: 0, data: bytes(4) }, {});
    rec.writeUInt32LE(2_500_000, 4);
    const { packets, reader } = await readBytes(Buffer.concat([pcapHeader({ linkType: 1 }), rec]));
    expect([packets[0]!.tsSec, packets[0]!.tsNsec]).toEqual([12, 500_000_000]);
    expect(reader.warnings[0]!.code).toBe('bad_timestamp_fraction');
  });

  for (const via of ['file', 'stream'] as const) {
    it(`file cut mid-record (${via}): packets before + truncated_file`, async () => {
      const file = writePcap(pkts, { linkType: 1 });
      const cut = file.subarray(0, file.length - 2);
      const { packets, reader } = await readBytes(cut, { via });
      expect(packets).toHaveLength(3);
      const lastStart = file.length - (16 + 3);
      expect(reader.warnings).toHaveLength(1);
      expect(reader.warnings[0]).toMatchObject({ code: 'truncated_file', offset: lastStart });
      expect(reader.warnings[0]!.message).toMatch(/mid-record/);
    });

    it(`file cut mid-header (${via}): packets before + truncated_file`, async () => {
      const file = writePcap(pkts, { linkType: 1 });
      const lastStart = file.length - (16 + 3);
      const { packets, reader } = await readBytes(file.subarray(0, lastStart + 5), { via });
      expect(packets).toHaveLength(3);
      expect(reader.warnings).toEqual([expect.objectContaining({ code: 'truncated_file', offset: lastStart })]);
      expect(reader.warnings[0]!.message).toMatch(/mid-header/);
    });
  }

  it('file with only the header: no packets, no warning', async () => {
    const { packets, reader } = await readBytes(pcapHeader({ linkType: 1 }));
    expect(packets).toEqual([]);
    expect(reader.warnings).toEqual([]);
  });

  it('packets straddling every chunk boundary (chunk sizes 1..40)', async () => {
    const file = writePcap(pkts.slice(0, 3), { linkType: 1 });
    for (let chunk = 1; chunk <= 40; chunk++) {
      const { packets, reader } = await readBytes(file, { via: 'stream', chunk });
      expect(packets.map((p) => p.capLen)).toEqual([60, 1514, 0]);
      expect(Buffer.from(packets[1]!.data).equals(Buffer.from(pkts[1]!.data))).toBe(true);
      expect(reader.warnings).toEqual([]);
    }
  });

  it('small read chunks from a file', async () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ tsSec: i, tsNsec: i * 1000, data: bytes(i % 300, i + 1) }));
    const file = writePcap(many, { linkType: 1 });
    const { packets } = await readBytes(file, { chunkSize: 4096 });
    expect(packets.length).toBe(500);
    expect(packets.every((p, i) => Buffer.from(p.data).equals(Buffer.from(many[i]!.data)))).toBe(true);
  });

  it('every warning code is documented', () => {
    for (const c of ['truncated_file', 'record_too_large', 'caplen_exceeds_origlen', 'bad_timestamp_fraction', 'link_type_high_bits']) {
      expect(CAPTURE_ANOMALIES[c]).toBeTypeOf('string');
    }
  });
});
