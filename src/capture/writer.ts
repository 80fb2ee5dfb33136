/**
 * Capture file writers (classic pcap and pcapng), used by tests, fixture
 * generation and the benchmark. Not on the analysis path.
 *
 * - classic pcap: draft-ietf-opsawg-pcap (file header section 4, packet record section 5)
 * - pcapng: draft-ietf-opsawg-pcapng (general block structure section 3.1,
 *   SHB 4.1, IDB 4.2, EPB 4.3, SPB 4.4, NRB 4.5, ISB 4.6, DSB 4.7, custom 4.8,
 *   obsolete Packet Block appendix A)
 *
 * Everything is written with exact integer arithmetic; timestamps are given as
 * (tsSec, tsNsec) and converted to the target resolution by truncation.
 */

/** One packet to write. `origLen > data.length` makes a truncated record. */
export interface WritePacket {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  origLen?: number;
}

export interface PcapWriteOptions {
  linkType: number;
  /** Nanosecond magic (0xa1b23c4d) instead of microsecond (0xa1b2c3d4). */
  nanosecond?: boolean;
  bigEndian?: boolean;
  /** Default 262144. */
  snapLen?: number;
  /** Raw value for the upper bits of the LinkType/FCS field (bits 16..31), for tests. */
  fcsBits?: number;
  /** Version (default 2.4). */
  versionMajor?: number;
  versionMinor?: number;
}

/** Magic numbers, as read in the file's own byte order. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
export const PCAPNG_BOM = 0x1a2b3c4d;

/** pcapng block type codes (draft-ietf-opsawg-pcapng section 10.1). */
export const BlockType = {
  PB: 0x00000002,
  IDB: 0x00000001,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  DSB: 0x0000000a,
  CUSTOM: 0x00000bad,
  CUSTOM_NOCOPY: 0x40000bad,
  SHB: PCAPNG_SHB_TYPE,
} as const;

function w32(buf: Buffer, off: number, v: number, be: boolean): void {
  if (be) buf.writeUInt32BE(v >>> 0, off);
  else buf.writeUInt32LE(v >>> 0, off);
}

function w16(buf: Buffer, off: number, v: number, be: boolean): void {
  if (be) buf.writeUInt16BE(v & 0xffff, off);
  else buf.writeUInt16LE(v & 0xffff, off);
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** The 24-byte classic pcap file header (draft-ietf-opsawg-pcap section 4). */
export function pcapHeader(opts: PcapWriteOptions): Buffer {
  const be = opts.bigEndian === true;
  const b = Buffer.alloc(24);
  w32(b, 0, opts.nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC_US, be);
  w16(b, 4, opts.versionMajor ?? 2, be);
  w16(b, 6, opts.versionMinor ?? 4, be);
  // Reserved1 (thiszone) and Reserved2 (sigfigs): 0
  w32(b, 16, opts.snapLen ?? 262144, be);
  w32(b, 20, ((((opts.fcsBits ?? 0) & 0xffff) << 16) | (opts.linkType & 0xffff)) >>> 0, be);
  return b;
}

/** One classic pcap packet record: 16-byte header + data (draft-ietf-opsawg-pcap section 5). */
export function pcapRecord(p: WritePacket, opts: { nanosecond?: boolean; bigEndian?: boolean }): Buffer {
  const be = opts.bigEndian === true;
  const b = Buffer.allocUnsafe(16 + p.data.length);
  w32(b, 0, p.tsSec, be);
  w32(b, 4, opts.nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000), be);
  w32(b, 8, p.data.length, be);
  w32(b, 12, p.origLen ?? p.data.length, be);
  b.set(p.data, 16);
  return b;
}

/** A whole classic pcap file. */
export function writePcap(packets: WritePacket[], opts: PcapWriteOptions): Buffer {
  const parts: Buffer[] = [pcapHeader(opts)];
  for (const p of packets) parts.push(pcapRecord(p, opts));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------
// pcapng

/** A raw pcapng option (code, value); the writer adds padding and opt_endofopt. */
export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

export interface WriteInterface {
  linkType: number;
  /** Default 0 (no limit) per the spec. */
  snapLen?: number;
  name?: string;
  description?: string;
  /** Raw if_tsresol byte: bit 7 clear = 10^-n, set = 2^-n. Default 6 (microseconds): option omitted. */
  tsresol?: number;
  /** if_tsoffset in seconds (signed 64-bit). */
  tsoffset?: number;
  /** Extra raw options. */
  options?: PcapngOption[];
}

export interface WritePcapngPacket extends WritePacket {
  interfaceId: number;
  /** Block type to use: Enhanced (default), Simple, or the obsolete Packet Block. */
  block?: 'epb' | 'spb' | 'pb';
  /** Raw EPB/PB options. */
  options?: PcapngOption[];
}

export interface RawBlock {
  type: number;
  body: Uint8Array;
}

export interface WriteSection {
  interfaces: WriteInterface[];
  packets: WritePcapngPacket[];
  bigEndian?: boolean;
  /** Blocks written after the IDBs and before the packets (NRB, ISB, DSB, custom, unknown...). */
  extraBlocks?: RawBlock[];
  /** Blocks written after the packets. */
  trailingBlocks?: RawBlock[];
  /** SHB version, default 1.0. */
  versionMajor?: number;
  versionMinor?: number;
  /** Raw SHB options (shb_hardware, shb_os, shb_userappl...). */
  shbOptions?: PcapngOption[];
}

function utf8(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

/** Encode options (code, length, value padded to 32 bits) + opt_endofopt; empty array -> no bytes. */
export function encodeOptions(opts: PcapngOption[], bigEndian = false): Buffer {
  if (opts.length === 0) return Buffer.alloc(0);
  let len = 4;
  for (const o of opts) len += 4 + pad4(o.value.length);
  const b = Buffer.alloc(len);
  let off = 0;
  for (const o of opts) {
    w16(b, off, o.code, bigEndian);
    w16(b, off + 2, o.value.length, bigEndian);
    b.set(o.value, off + 4);
    off += 4 + pad4(o.value.length);
  }
  // opt_endofopt: code 0, length 0 (already zero)
  return b;
}

/**
 * Frame a block: Block Type, Block Total Length, body (padded to 32 bits),
 * Block Total Length (draft-ietf-opsawg-pcapng section 3.1).
 */
export function pcapngBlock(type: number, body: Uint8Array, bigEndian = false): Buffer {
  const total = 12 + pad4(body.length);
  const b = Buffer.alloc(total);
  w32(b, 0, type, bigEndian);
  w32(b, 4, total, bigEndian);
  b.set(body, 8);
  w32(b, total - 4, total, bigEndian);
  return b;
}

/** Section Header Block (section 4.1). Section Length = -1 (unspecified). */
export function pcapngShb(opts: { bigEndian?: boolean; versionMajor?: number; versionMinor?: number; options?: PcapngOption[] } = {}): Buffer {
  const be = opts.bigEndian === true;
  const o = encodeOptions(opts.options ?? [], be);
  const body = Buffer.alloc(16 + o.length);
  w32(body, 0, PCAPNG_BOM, be);
  w16(body, 4, opts.versionMajor ?? 1, be);
  w16(body, 6, opts.versionMinor ?? 0, be);
  body.writeInt32LE(-1, 8);
  body.writeInt32LE(-1, 12);
  body.set(o, 16);
  return pcapngBlock(BlockType.SHB, body, be);
}

/** Interface Description Block (section 4.2) with if_name (2), if_description (3), if_tsresol (9), if_tsoffset (14). */
export function pcapngIdb(iface: WriteInterface, bigEndian = false): Buffer {
  const opts: PcapngOption[] = [];
  if (iface.name !== undefined) opts.push({ code: 2, value: utf8(iface.name) });
  if (iface.description !== undefined) opts.push({ code: 3, value: utf8(iface.description) });
  if (iface.tsresol !== undefined && iface.tsresol !== 6) opts.push({ code: 9, value: Uint8Array.of(iface.tsresol & 0xff) });
  if (iface.tsoffset !== undefined && iface.tsoffset !== 0) {
    const v = Buffer.alloc(8);
    if (bigEndian) v.writeBigInt64BE(BigInt(iface.tsoffset));
    else v.writeBigInt64LE(BigInt(iface.tsoffset));
    opts.push({ code: 14, value: v });
  }
  if (iface.options) opts.push(...iface.options);
  const o = encodeOptions(opts, bigEndian);
  const body = Buffer.alloc(8 + o.length);
  w16(body, 0, iface.linkType, bigEndian);
  w32(body, 4, iface.snapLen ?? 0, bigEndian);
  body.set(o, 8);
  return pcapngBlock(BlockType.IDB, body, bigEndian);
}

/** Units per second for a raw if_tsresol byte (bit 7 set: 2^-n, else 10^-n). */
export function tsresolUnits(tsresol: number): bigint {
  const n = BigInt(tsresol & 0x7f);
  return tsresol & 0x80 ? 1n << n : 10n ** n;
}

/** Timestamp in interface units (truncated), after removing if_tsoffset. */
export function toIfUnits(tsSec: number, tsNsec: number, tsresol = 6, tsoffset = 0): bigint {
  const u = tsresolUnits(tsresol);
  return BigInt(tsSec - tsoffset) * u + (BigInt(tsNsec) * u) / 1_000_000_000n;
}

function tsHiLo(units: bigint): [number, number] {
  const v = BigInt.asUintN(64, units);
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/**
 * The body of an Enhanced or obsolete Packet Block: a 4-byte interface field
 * (written by `ifField`), timestamp high/low, captured and original lengths,
 * the padded data, then options.
 */
function packetBlockBody(
  p: WritePacket & { options?: PcapngOption[] }, iface: WriteInterface, bigEndian: boolean, ifField: (b: Buffer) => void,
): Buffer {
  const [hi, lo] = tsHiLo(toIfUnits(p.tsSec, p.tsNsec, iface.tsresol, iface.tsoffset));
  const o = encodeOptions(p.options ?? [], bigEndian);
  const dl = pad4(p.data.length);
  const body = Buffer.alloc(20 + dl + o.length);
  ifField(body);
  w32(body, 4, hi, bigEndian);
  w32(body, 8, lo, bigEndian);
  w32(body, 12, p.data.length, bigEndian);
  w32(body, 16, p.origLen ?? p.data.length, bigEndian);
  body.set(p.data, 20);
  body.set(o, 20 + dl);
  return body;
}

/** Enhanced Packet Block (section 4.3). */
export function pcapngEpb(p: WritePacket & { options?: PcapngOption[] }, interfaceId: number, iface: WriteInterface = { linkType: 1 }, bigEndian = false): Buffer {
  const body = packetBlockBody(p, iface, bigEndian, (b) => w32(b, 0, interfaceId, bigEndian));
  return pcapngBlock(BlockType.EPB, body, bigEndian);
}

/** Simple Packet Block (section 4.4): no timestamp, no interface id (interface 0 of the section). */
export function pcapngSpb(p: WritePacket, bigEndian = false): Buffer {
  const body = Buffer.alloc(4 + pad4(p.data.length));
  w32(body, 0, p.origLen ?? p.data.length, bigEndian);
  body.set(p.data, 4);
  return pcapngBlock(BlockType.SPB, body, bigEndian);
}

/** Obsolete Packet Block (appendix A): 16-bit interface id and drops count. */
export function pcapngPb(p: WritePacket & { options?: PcapngOption[] }, interfaceId: number, iface: WriteInterface = { linkType: 1 }, bigEndian = false): Buffer {
  const body = packetBlockBody(p, iface, bigEndian, (b) => {
    w16(b, 0, interfaceId, bigEndian);
    w16(b, 2, 0, bigEndian);
  });
  return pcapngBlock(BlockType.PB, body, bigEndian);
}

/** Packet block of the kind requested by `p.block`. */
export function pcapngPacket(p: WritePcapngPacket, iface: WriteInterface = { linkType: 1 }, bigEndian = false): Buffer {
  switch (p.block) {
    case 'spb':
      return pcapngSpb(p, bigEndian);
    case 'pb':
      return pcapngPb(p, p.interfaceId, iface, bigEndian);
    default:
      return pcapngEpb(p, p.interfaceId, iface, bigEndian);
  }
}

/** Name Resolution Block body (section 4.5): ipv4 records (type 1) and ipv6 (type 2). */
export function nrbBody(records: { ip: Uint8Array; names: string[] }[], bigEndian = false): Uint8Array {
  const parts: Buffer[] = [];
  for (const r of records) {
    const val = Buffer.concat([Buffer.from(r.ip), ...r.names.map((n) => Buffer.from(n + '\0', 'utf8'))]);
    const h = Buffer.alloc(4);
    w16(h, 0, r.ip.length === 16 ? 2 : 1, bigEndian);
    w16(h, 2, val.length, bigEndian);
    parts.push(h, val, Buffer.alloc(pad4(val.length) - val.length));
  }
  parts.push(Buffer.alloc(4)); // nrb_record_end
  return Buffer.concat(parts);
}

/** Interface Statistics Block body (section 4.6), no options. */
export function isbBody(interfaceId: number, tsUnits: bigint, bigEndian = false): Uint8Array {
  const b = Buffer.alloc(12);
  const [hi, lo] = tsHiLo(tsUnits);
  w32(b, 0, interfaceId, bigEndian);
  w32(b, 4, hi, bigEndian);
  w32(b, 8, lo, bigEndian);
  return b;
}

/** Decryption Secrets Block body (section 4.7); type 0x544c534b = TLS key log. */
export function dsbBody(secretsType: number, data: Uint8Array, bigEndian = false): Uint8Array {
  const b = Buffer.alloc(8 + pad4(data.length));
  w32(b, 0, secretsType, bigEndian);
  w32(b, 4, data.length, bigEndian);
  b.set(data, 8);
  return b;
}

/** Custom block body (section 4.8): Private Enterprise Number + data. */
export function customBody(pen: number, data: Uint8Array, bigEndian = false): Uint8Array {
  const b = Buffer.alloc(4 + data.length);
  w32(b, 0, pen, bigEndian);
  b.set(data, 4);
  return b;
}

/** Secrets type for a TLS key log in a DSB. */
export const DSB_TLS_KEYLOG = 0x544c534b;

/** All blocks of one section: SHB, IDBs, extra blocks, packets, trailing blocks. */
export function pcapngSectionParts(s: WriteSection): Buffer[] {
  const be = s.bigEndian === true;
  const parts: Buffer[] = [pcapngShb({ bigEndian: be, versionMajor: s.versionMajor, versionMinor: s.versionMinor, options: s.shbOptions })];
  for (const i of s.interfaces) parts.push(pcapngIdb(i, be));
  for (const x of s.extraBlocks ?? []) parts.push(pcapngBlock(x.type, x.body, be));
  for (const p of s.packets) {
    const iface = s.interfaces[p.block === 'spb' ? 0 : p.interfaceId] ?? { linkType: 1 };
    parts.push(pcapngPacket(p, iface, be));
  }
  for (const x of s.trailingBlocks ?? []) parts.push(pcapngBlock(x.type, x.body, be));
  return parts;
}

/**
 * A whole pcapng file with one or more sections. Packet `interfaceId` is the
 * index in its own section's `interfaces`.
 */
export function writePcapng(sections: WriteSection[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of sections) parts.push(...pcapngSectionParts(s));
  return Buffer.concat(parts);
}
