import { describe, expect, it } from 'vitest';
import {
  BlockType,
  DSB_TLS_KEYLOG,
  customBody,
  dsbBody,
  isbBody,
  nrbBody,
  pcapngBlock,
  pcapngEpb,
  pcapngIdb,
  pcapngShb,
  writePcapng,
  type WriteSection,
} from '../../src/capture/writer.js';
import { bytes, readBytes } from './helpers.js';

const T = 1_700_000_000;

function simple(bigEndian: boolean): WriteSection {
  return {
    bigEndian,
    interfaces: [{ linkType: 1, name: 'eth0', description: 'first', snapLen: 65535 }],
    packets: [
      { interfaceId: 0, tsSec: T, tsNsec: 123456000, data: bytes(60, 1) },
      { interfaceId: 0, tsSec: T + 1, tsNsec: 0, data: bytes(1514, 2), origLen: 1600 },
    ],
  };
}

describe('pcapng', () => {
  for (const bigEndian of [false, true]) {
    for (const via of ['file', 'stream'] as const) {
      it(`reads ${bigEndian ? 'BE' : 'LE'} via ${via}`, async () => {
        const { reader, packets } = await readBytes(writePcapng([simple(bigEndian)]), { via, chunk: 13 });
        expect(reader.info).toEqual({ format: 'pcapng', gzip: false, byteOrder: bigEndian ? 'be' : 'le', reader: 'tlsscope' });
        expect(reader.warnings).toEqual([]);
        expect(reader.interfaces).toEqual([
          { id: 0, section: 0, linkType: 1, snapLen: 65535, name: 'eth0', description: 'first', tsUnitsPerSec: 1e6, tsOffsetSec: 0 },
        ]);
        expect(packets.map((p) => [p.index, p.interfaceId, p.linkType, p.tsSec, p.tsNsec, p.capLen, p.origLen])).toEqual([
          [0, 0, 1, T, 123456000, 60, 60],
          [1, 0, 1, T + 1, 0, 1514, 1600],
        ]);
        expect(Buffer.from(packets[1]!.data).equals(Buffer.from(bytes(1514, 2)))).toBe(true);
      });
    }
  }

  it('multiple sections with different byte orders; interfaces renumbered globally', async () => {
    const file = writePcapng([
      {
        bigEndian: true,
        interfaces: [{ linkType: 1 }, { linkType: 101 }],
        packets: [
          { interfaceId: 1, tsSec: T, tsNsec: 1000, data: bytes(20, 1) },
          { interfaceId: 0, tsSec: T, tsNsec: 2000, data: bytes(21, 2) },
        ],
      },
      {
        bigEndian: false,
        interfaces: [{ linkType: 113 }, { linkType: 276 }, { linkType: 1, tsresol: 9 }],
        packets: [
          { interfaceId: 2, tsSec: T, tsNsec: 3, data: bytes(22, 3) },
          { interfaceId: 0, tsSec: T, tsNsec: 4000, data: bytes(23, 4) },
          { interfaceId: 1, tsSec: T, tsNsec: 5000, data: bytes(24, 5) },
        ],
      },
      { bigEndian: true, interfaces: [{ linkType: 228 }], packets: [{ interfaceId: 0, tsSec: T, tsNsec: 6000, data: bytes(25, 6) }] },
    ]);
    for (const via of ['file', 'stream'] as const) {
      const { reader, packets } = await readBytes(file, { via, chunk: 5 });
      expect(reader.warnings).toEqual([]);
      expect(reader.info.byteOrder).toBe('be');
      expect(reader.interfaces.map((i) => [i.id, i.section, i.linkType])).toEqual([
        [0, 0, 1],
        [1, 0, 101],
        [2, 1, 113],
        [3, 1, 276],
        [4, 1, 1],
        [5, 2, 228],
      ]);
      expect(packets.map((p) => [p.interfaceId, p.linkType, p.tsNsec, p.capLen])).toEqual([
        [1, 101, 1000, 20],
        [0, 1, 2000, 21],
        [4, 1, 3, 22],
        [2, 113, 4000, 23],
        [3, 276, 5000, 24],
        [5, 228, 6000, 25],
      ]);
    }
  });

  it('if_tsresol decimal (10^-3, 10^-9) and power of two (2^-10, 2^-20, 2^-32), if_tsoffset', async () => {
    const ifs = [
      { linkType: 1, tsresol: 3 },
      { linkType: 1, tsresol: 9 },
      { linkType: 1, tsresol: 0x80 | 10 },
      { linkType: 1, tsresol: 0x80 | 20, tsoffset: 1000 },
      { linkType: 1, tsresol: 0x80 | 32 },
      { linkType: 1, tsoffset: -100 },
    ];
    const file = writePcapng([
      {
        interfaces: ifs,
        packets: ifs.map((_, i) => ({ interfaceId: i, tsSec: T, tsNsec: 500_000_000 + i, data: bytes(8, i + 1) })),
      },
    ]);
    const { reader, packets } = await readBytes(file);
    expect(reader.interfaces.map((i) => [i.tsUnitsPerSec, i.tsOffsetSec])).toEqual([
      [1e3, 0],
      [1e9, 0],
      [1024, 0],
      [2 ** 20, 1000],
      [2 ** 32, 0],
      [1e6, -100],
    ]);
    expect(packets.map((p) => [p.tsSec, p.tsNsec])).toEqual([
      [T, 500_000_000],
      [T, 500_000_001],
      [T, 500_000_000], // 0.5 s is exact in 2^-10
      [T, 500_000_000],
      [T, 500_000_003], // 500000004 ns in 2^-32 units, truncated back
      [T, 500_000_000],
    ]);
  });

  it('power-of-two resolution: exact conversion of a non-round value', async () => {
    // 2^-20 units: 3 units = 2.86102294921875 us -> 2861 ns (truncated)
    const shb = pcapngShb();
    const idb = pcapngIdb({ linkType: 1, tsresol: 0x80 | 20 });
    const units = (BigInt(T) << 20n) + 3n;
    const epb = Buffer.from(pcapngEpb({ tsSec: 0, tsNsec: 0, data: bytes(4) }, 0));
    epb.writeUInt32LE(Number(units >> 32n), 12);
    epb.writeUInt32LE(Number(units & 0xffffffffn), 16);
    const { packets } = await readBytes(Buffer.concat([shb, idb, epb]));
    expect([packets[0]!.tsSec, packets[0]!.tsNsec]).toEqual([T, 2861]);
  });

  it('nanosecond timestamps far from zero are exact', async () => {
    const file = writePcapng([
      { interfaces: [{ linkType: 1, tsresol: 9 }], packets: [{ interfaceId: 0, tsSec: 4_000_000_000, tsNsec: 999_999_999, data: bytes(4) }] },
    ]);
    const { packets } = await readBytes(file);
    expect([packets[0]!.tsSec, packets[0]!.tsNsec]).toEqual([4_000_000_000, 999_999_999]);
  });

  it('EPB, SPB and obsolete PB', async () => {
    for (const bigEndian of [false, true]) {
      const file = writePcapng([
        {
          bigEndian,
          interfaces: [{ linkType: 1, snapLen: 100 }, { linkType: 101 }],
          packets: [
            { interfaceId: 1, tsSec: T, tsNsec: 7000, data: bytes(50, 1), block: 'epb' },
            { interfaceId: 0, tsSec: 0, tsNsec: 0, data: bytes(80, 2), block: 'spb', origLen: 1500 },
            { interfaceId: 1, tsSec: T + 5, tsNsec: 8000, data: bytes(30, 3), block: 'pb' },
            { interfaceId: 0, tsSec: 0, tsNsec: 0, data: bytes(120, 4), block: 'spb' },
          ],
        },
      ]);
      const { reader, packets } = await readBytes(file);
      expect(packets.map((p) => [p.interfaceId, p.linkType, p.tsSec, p.tsNsec, p.capLen, p.origLen])).toEqual([
        [1, 101, T, 7000, 50, 50],
        [0, 1, T, 7000, 80, 1500], // SPB: previous timestamp
        [1, 101, T + 5, 8000, 30, 30],
        [0, 1, T + 5, 8000, 100, 120], // SPB: capped at snaplen 100
      ]);
      expect(Buffer.from(packets[3]!.data).equals(Buffer.from(bytes(120, 4).subarray(0, 100)))).toBe(true);
      expect(reader.warnings.map((w) => w.code)).toEqual(['spb_no_timestamp']);
    }
  });

  it('NRB and ISB skipped, DSB kept, custom blocks skipped, unknown blocks skipped with a warning', async () => {
    for (const bigEndian of [false, true]) {
      const keylog = Buffer.from('CLIENT_RANDOM 0011 2233\n');
      const file = writePcapng([
        {
          bigEndian,
          interfaces: [{ linkType: 1 }],
          extraBlocks: [
            { type: BlockType.NRB, body: nrbBody([{ ip: Uint8Array.of(10, 0, 0, 1), names: ['a.example'] }], bigEndian) },
            { type: BlockType.DSB, body: dsbBody(DSB_TLS_KEYLOG, keylog, bigEndian) },
            { type: BlockType.CUSTOM, body: customBody(32473, bytes(13), bigEndian) },
            { type: BlockType.CUSTOM_NOCOPY, body: customBody(32473, bytes(3), bigEndian) },
            { type: 0x12345678, body: bytes(17) },
          ],
          packets: [{ interfaceId: 0, tsSec: T, tsNsec: 0, data: bytes(40) }],
          trailingBlocks: [{ type: BlockType.ISB, body: isbBody(0, 0n, bigEndian) }],
        },
      ]);
      const { reader, packets } = await readBytes(file, { via: 'stream', chunk: 11 });
      expect(packets).toHaveLength(1);
      expect(reader.secrets).toHaveLength(1);
      expect(reader.secrets[0]!.type).toBe(DSB_TLS_KEYLOG);
      expect(Buffer.from(reader.secrets[0]!.data).toString()).toBe(keylog.toString());
      expect(reader.warnings.map((w) => w.code)).toEqual(['unknown_block']);
    }
  });

  it('packet referencing a missing interface is skipped with a warning', async () => {
    const file = writePcapng([
      { interfaces: [{ linkType: 1 }], packets: [{ interfaceId: 0, tsSec: T, tsNsec: 0, data: bytes(4) }] },
    ]);
    const bad = pcapngEpb({ tsSec: T, tsNsec: 0, data: bytes(4) }, 3);
    const { packets, reader } = await readBytes(Buffer.concat([file, bad, pcapngEpb({ tsSec: T, tsNsec: 0, data: bytes(5) }, 0)]));
    expect(packets.map((p) => p.capLen)).toEqual([4, 5]);
    expect(reader.warnings).toEqual([expect.objectContaining({ code: 'unknown_interface', offset: file.length })]);
  });

  it('interfaces of a previous section are not visible in the next one', async () => {
    const s1 = writePcapng([{ interfaces: [{ linkType: 1 }], packets: [] }]);
    const s2 = Buffer.concat([pcapngShb(), pcapngEpb({ tsSec: T, tsNsec: 0, data: bytes(4) }, 0)]);
    const { packets, reader } = await readBytes(Buffer.concat([s1, s2]));
    expect(packets).toEqual([]);
    expect(reader.warnings.map((w) => w.code)).toEqual(['unknown_interface']);
  });

  for (const [label, total] of [
    ['< 12', 8],
    ['not a multiple of 4', 30],
    ['over the cap', 0x7ffffff0],
  ] as const) {
    it(`block total length ${label}: stop with a warning`, async () => {
      const good = writePcapng([simple(false)]);
      const bad = Buffer.alloc(16);
      bad.writeUInt32LE(6, 0);
      bad.writeUInt32LE(total, 4);
      const { packets, reader } = await readBytes(Buffer.concat([good, bad, good]));
      expect(packets).toHaveLength(2);
      expect(reader.warnings).toEqual([expect.objectContaining({ code: 'bad_block_length', offset: good.length + 4 })]);
    });
  }

  it('EPB captured length past the block body is clamped', async () => {
    const shb = pcapngShb();
    const idb = pcapngIdb({ linkType: 1 });
    const epb = Buffer.from(pcapngEpb({ tsSec: T, tsNsec: 0, data: bytes(8) }, 0));
    epb.writeUInt32LE(5000, 20);
    const { packets, reader } = await readBytes(Buffer.concat([shb, idb, epb]));
    expect(packets[0]!.capLen).toBe(8);
    expect(reader.warnings.map((w) => w.code)).toContain('packet_exceeds_block');
  });

  it('file cut mid-block and mid-block-header', async () => {
    const file = writePcapng([simple(false)]);
    const last = pcapngEpb({ tsSec: T + 1, tsNsec: 0, data: bytes(1514, 2), origLen: 1600 }, 0);
    const lastStart = file.length - last.length;
    for (const cut of [lastStart + 4, lastStart + 100, file.length - 1]) {
      for (const via of ['file', 'stream'] as const) {
        const { packets, reader } = await readBytes(file.subarray(0, cut), { via, chunk: 64 });
        expect(packets).toHaveLength(1);
        expect(reader.warnings).toEqual([expect.objectContaining({ code: 'truncated_file', offset: lastStart })]);
      }
    }
  });

  it('trailing block length mismatch is reported but reading goes on', async () => {
    const shb = pcapngShb();
    const idb = Buffer.from(pcapngIdb({ linkType: 1 }));
    idb.writeUInt32LE(999, idb.length - 4);
    const { packets, reader } = await readBytes(Buffer.concat([shb, idb, pcapngEpb({ tsSec: T, tsNsec: 0, data: bytes(4) }, 0)]));
    expect(packets).toHaveLength(1);
    expect(reader.warnings.map((w) => w.code)).toEqual(['block_length_mismatch']);
  });

  it('a later SHB with a bad byte-order magic stops with a warning', async () => {
    const good = writePcapng([simple(true)]);
    const bad = Buffer.from(pcapngShb());
    bad.writeUInt32LE(0xdeadbeef, 8);
    const { packets, reader } = await readBytes(Buffer.concat([good, bad, good]));
    expect(packets).toHaveLength(2);
    expect(reader.warnings.map((w) => w.code)).toEqual(['bad_byte_order_magic']);
  });

  it('a large block straddling many chunks (DSB of 3 MiB)', async () => {
    const big = bytes(3 << 20, 9);
    const file = writePcapng([
      {
        interfaces: [{ linkType: 1 }],
        extraBlocks: [{ type: BlockType.DSB, body: dsbBody(DSB_TLS_KEYLOG, big) }],
        packets: [{ interfaceId: 0, tsSec: T, tsNsec: 0, data: bytes(10) }],
      },
    ]);
    const { reader, packets } = await readBytes(file, { chunkSize: 65536 });
    expect(packets).toHaveLength(1);
    expect(Buffer.from(reader.secrets[0]!.data).equals(Buffer.from(big))).toBe(true);
  });

  it('raw block helper frames padding correctly', () => {
    const b = pcapngBlock(0x99, bytes(5));
    expect(b.length).toBe(20);
    expect(b.readUInt32LE(4)).toBe(20);
    expect(b.readUInt32LE(16)).toBe(20);
  });

  it('a block claiming 60 MiB in a file that ends early: truncated_file, packets before', async () => {
    const good = writePcapng([simple(false)]);
    const big = Buffer.alloc(5000);
    big.writeUInt32LE(6, 0);
    big.writeUInt32LE(60 << 20, 4);
    const { packets, reader } = await readBytes(Buffer.concat([good, big]), { via: 'stream', chunk: 512 });
    expect(packets).toHaveLength(2);
    expect(reader.warnings).toEqual([expect.objectContaining({ code: 'truncated_file', offset: good.length })]);
  });
});
