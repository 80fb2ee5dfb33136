import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CaptureError } from '../../src/core/types.js';
import { openCapture } from '../../src/capture/open.js';
import { writePcap, writePcapng } from '../../src/capture/writer.js';
import { bytes, readBytes, tmpFile } from './helpers.js';

const T = 1_700_000_000;
const pkts = Array.from({ length: 50 }, (_, i) => ({ tsSec: T + i, tsNsec: (i * 7919) % 1_000_000 * 1000, data: bytes(40 + i * 13, i + 1) }));

async function expectCaptureError(p: Promise<unknown>, offset: number, re: RegExp): Promise<CaptureError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CaptureError);
    const ce = e as CaptureError;
    expect(ce.offset).toBe(offset);
    expect(ce.message).toMatch(re);
    return ce;
  }
  throw new Error('expected a CaptureError');
}

describe('openCapture', () => {
  it('gzip pcap and pcapng (file and stream)', async () => {
    const pcap = writePcap(pkts, { linkType: 1 });
    const ng = writePcapng([{ interfaces: [{ linkType: 1 }], packets: pkts.map((p) => ({ ...p, interfaceId: 0 })) }]);
    for (const [file, format] of [
      [pcap, 'pcap'],
      [ng, 'pcapng'],
    ] as const) {
      for (const via of ['file', 'stream'] as const) {
        const { reader, packets } = await readBytes(gzipSync(file), { via, chunk: 100 });
        expect(reader.info.gzip).toBe(true);
        expect(reader.info.format).toBe(format);
        expect(packets.length).toBe(50);
        expect(Buffer.from(packets[49]!.data).equals(Buffer.from(pkts[49]!.data))).toBe(true);
        expect(reader.warnings).toEqual([]);
      }
    }
  });

  it('truncated gzip: packets before + a warning', async () => {
    const gz = gzipSync(writePcap(pkts, { linkType: 1 }));
    const { reader, packets } = await readBytes(gz.subarray(0, gz.length - 200));
    expect(packets.length).toBeGreaterThan(0);
    expect(packets.length).toBeLessThan(50);
    expect(reader.warnings.map((w) => w.code)).toContain('gzip_error');
  });

  it('a Readable delivering bytes over time (growing capture)', async () => {
    const file = writePcap(pkts, { linkType: 1 });
    const stream = new Readable({ read() {} });
    const reader = await (async () => {
      const p = openCapture(stream, { name: 'live' });
      stream.push(file.subarray(0, 30));
      return p;
    })();
    const seen: number[] = [];
    const done = reader.run((p) => seen.push(p.index));
    let off = 30;
    const step = (): void => {
      if (off >= file.length) {
        stream.push(null);
        return;
      }
      stream.push(file.subarray(off, off + 333));
      off += 333;
      setTimeout(step, 1);
    };
    step();
    await done;
    expect(seen.length).toBe(50);
    expect(reader.warnings).toEqual([]);
  });

  it('not a capture -> CaptureError with the magic', async () => {
    const p = tmpFile(Buffer.from('hello world, this is text\n'));
    const e = await expectCaptureError(openCapture(p), 0, /not a pcap or pcapng file \(magic 0x68656c6c\)/);
    expect(e.file).toBe(p);
    expect(e.oneLine()).toContain(': offset 0: not a pcap');
  });

  it('empty file -> CaptureError', async () => {
    await expectCaptureError(openCapture(tmpFile(new Uint8Array(0))), 0, /empty/);
    await expectCaptureError(openCapture(Readable.from([])), 0, /empty/);
  });

  it('too short / truncated file header -> CaptureError', async () => {
    await expectCaptureError(openCapture(tmpFile(Uint8Array.of(0xd4, 0xc3))), 0, /not a pcap/);
    const hdr = writePcap([], { linkType: 1 });
    await expectCaptureError(openCapture(tmpFile(hdr.subarray(0, 10))), 10, /truncated pcap file header/);
    const ng = writePcapng([{ interfaces: [], packets: [] }]);
    await expectCaptureError(openCapture(tmpFile(ng.subarray(0, 8))), 8, /truncated pcapng/);
    const bad = Buffer.from(ng);
    bad.writeUInt32LE(0x01020304, 8);
    await expectCaptureError(openCapture(tmpFile(bad)), 8, /byte-order magic/);
  });

  it('unreadable paths -> CaptureError at offset 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlsscope-cap-dir-'));
    await expectCaptureError(openCapture(join(dir, 'missing.pcap')), 0, /no such file/);
    await expectCaptureError(openCapture(dir), 0, /is a directory/);
  });

  it('gzip of garbage -> CaptureError; gzip of text -> not a capture', async () => {
    await expectCaptureError(openCapture(tmpFile(Uint8Array.of(0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))), 0, /gzip/);
    await expectCaptureError(openCapture(tmpFile(gzipSync(Buffer.from('plain text')))), 0, /not a pcap or pcapng file \(magic 0x706c6169\)/);
  });
});

describe('pcap-parser adapter', () => {
  for (const bigEndian of [false, true]) {
    it(`gives the same packets as the built-in reader (${bigEndian ? 'BE' : 'LE'})`, async () => {
      const file = writePcap(pkts, { linkType: 1, bigEndian, snapLen: 1500 });
      const a = await readBytes(file);
      const b = await readBytes(file, { pcapImpl: 'pcap-parser' });
      expect(a.reader.info.reader).toBe('tlsscope');
      expect(b.reader.info.reader).toBe('pcap-parser');
      expect(b.packets).toEqual(a.packets);
      expect(b.reader.interfaces).toEqual(a.reader.interfaces);
      expect(b.reader.warnings).toEqual([]);
    });
  }

  it('same packets and truncated_file warning on a cut file (gzip stream too)', async () => {
    const file = writePcap(pkts, { linkType: 1 });
    const cut = file.subarray(0, file.length - 10);
    const a = await readBytes(cut);
    const b = await readBytes(cut, { pcapImpl: 'pcap-parser' });
    expect(b.packets).toEqual(a.packets);
    expect(b.reader.warnings.map((w) => [w.code, w.offset])).toEqual(a.reader.warnings.map((w) => [w.code, w.offset]));
    const c = await readBytes(gzipSync(file), { pcapImpl: 'pcap-parser', via: 'stream', chunk: 1000 });
    expect(c.packets).toEqual((await readBytes(file)).packets);
  });

  it('stops on an absurd captured length', async () => {
    const good = writePcap(pkts.slice(0, 2), { linkType: 1 });
    const bad = Buffer.alloc(16);
    bad.writeUInt32LE(0x7fffffff, 8);
    const b = await readBytes(Buffer.concat([good, bad, Buffer.alloc(1000)]), { pcapImpl: 'pcap-parser' });
    expect(b.packets).toHaveLength(2);
    expect(b.reader.warnings.map((w) => w.code)).toEqual(['record_too_large']);
  });

  it('falls back to the built-in reader for ns pcap and pcapng', async () => {
    const ns = await readBytes(writePcap(pkts, { linkType: 1, nanosecond: true }), { pcapImpl: 'pcap-parser' });
    expect(ns.reader.info.reader).toBe('tlsscope');
    expect(ns.packets).toHaveLength(50);
    expect(ns.reader.warnings.map((w) => w.code)).toEqual(['reader_fallback']);
    const ng = await readBytes(writePcapng([{ interfaces: [{ linkType: 1 }], packets: [] }]), { pcapImpl: 'pcap-parser' });
    expect(ng.reader.info.reader).toBe('tlsscope');
  });
});
