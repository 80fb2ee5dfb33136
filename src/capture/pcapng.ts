/**
 * pcapng reader (draft-ietf-opsawg-pcapng).
 *
 * General block structure (section 3.1): Block Type (32), Block Total Length
 * (32), body padded to 32 bits, Block Total Length again. Each Section Header
 * Block (0x0A0D0D0A, section 4.1) starts a section with its own byte order
 * (Byte-Order Magic 0x1A2B3C4D) and its own Interface Description Blocks
 * (section 4.2); interface ids of a section's packets are local to it and are
 * renumbered globally here, in file order.
 *
 * Packets come from Enhanced Packet Blocks (section 4.3), Simple Packet Blocks
 * (section 4.4: interface 0 of the section, no timestamp, captured length =
 * min(Original Packet Length, SnapLen, body)) and obsolete Packet Blocks
 * (appendix A). Decryption Secrets Blocks (section 4.7) are kept; Name
 * Resolution (4.5), Interface Statistics (4.6), custom (4.8) and unknown
 * blocks are skipped by their length.
 *
 * Timestamps are 64-bit counts of if_tsresol units (default 10^-6; option 9:
 * bit 7 clear = 10^-n, set = 2^-n) since 1970 minus if_tsoffset seconds
 * (option 14, signed 64-bit). They are converted exactly to (sec, nsec),
 * nanoseconds truncated.
 */
import { CaptureError } from '../core/types.js';
import { RecordReader, STOP } from './base.js';
import type { ChunkSource } from './source.js';
import type { CaptureInfo, InterfaceInfo } from './types.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_MIN_BLOCK = 12;
/** Blocks above this total length are treated as corruption. */
export const PCAPNG_MAX_BLOCK = 64 << 20;
export const PCAPNG_MAX_INTERFACES = 65536;
export const PCAPNG_MAX_SECRETS = 64 << 20;

const BT_IDB = 1;
const BT_PB = 2;
const BT_SPB = 3;
const BT_NRB = 4;
const BT_ISB = 5;
const BT_EPB = 6;
const BT_DSB = 0x0a;
/** Known block types that carry nothing we use. */
const SKIPPED = new Set<number>([
  BT_NRB,
  BT_ISB,
  7, // IRIG timestamp (obsolete)
  8, // ARINC 429 / AFDX (obsolete)
  9, // systemd journal export
  0x00000bad, // custom, may be copied
  0x40000bad, // custom, do not copy
]);

/** InterfaceInfo with the pcapng extras (optional extension of the shared type). */
export type PcapngInterface = InterfaceInfo & { fcsLen?: number };

interface NgIface {
  info: PcapngInterface;
  id: number;
  linkType: number;
  snapLen: number;
  /** Units per second when it fits a double exactly (1e6/1e9 fast path), else 0. */
  fastDiv: number;
  div: bigint;
  offset: number;
}

/** Byte order of a SHB from its Byte-Order Magic at offset 8; null if invalid. */
export function shbByteOrder(b: Uint8Array, pos = 0): 'le' | 'be' | null {
  if (b.length < pos + 12) return null;
  const v = ((b[pos + 8]! << 24) | (b[pos + 9]! << 16) | (b[pos + 10]! << 8) | b[pos + 11]!) >>> 0;
  if (v === 0x1a2b3c4d) return 'be';
  if (v === 0x4d3c2b1a) return 'le';
  return null;
}

/** Remainder of the last div64(). */
let REM = 0;

/** floor((hi * 2^32 + lo) / d) for d < 2^36, exact, by 16-bit long division; remainder in REM. */
function div64(hi: number, lo: number, d: number): number {
  if (hi === 0) {
    const q = Math.floor(lo / d);
    REM = lo - q * d;
    return q;
  }
  let q = 0;
  let r = 0;
  const digits = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
  for (let i = 0; i < 4; i++) {
    const x = r * 65536 + digits[i]!;
    let qd = Math.floor(x / d);
    r = x - qd * d;
    if (r < 0) {
      qd--;
      r += d;
    } else if (r >= d) {
      qd++;
      r -= d;
    }
    q = q * 65536 + qd;
  }
  REM = r;
  return q;
}

export class PcapngReader extends RecordReader {
  private le: boolean;
  private section = -1;
  private sectionIfaces: NgIface[] = [];
  private totalIfaces = 0;
  private secretsBytes = 0;
  private lastSec = 0;
  private lastNsec = 0;

  /** `src` must be positioned at the first SHB. */
  constructor(info: CaptureInfo, src: ChunkSource, name: string) {
    super(info, src, name, PCAPNG_MIN_BLOCK);
    this.le = info.byteOrder === 'le';
  }

  /** Total length of the block at pos (12 header bytes present), or STOP. */
  private blockLen(buf: Buffer, pos: number, fileOff: number): number {
    let le = this.le;
    if (buf.readUInt32LE(pos) === PCAPNG_SHB) {
      const o = shbByteOrder(buf, pos);
      if (o === null) {
        this.warn('bad_byte_order_magic', fileOff + pos + 8, `Section Header Block at offset ${fileOff + pos} has an invalid byte-order magic; reading stopped`);
        return STOP;
      }
      le = o === 'le';
    }
    const total = le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
    if (total < PCAPNG_MIN_BLOCK || (total & 3) !== 0 || total > PCAPNG_MAX_BLOCK) {
      this.warn('bad_block_length', fileOff + pos + 4, `block at offset ${fileOff + pos} has total length ${total}; reading stopped`);
      return STOP;
    }
    return total;
  }

  protected need(buf: Buffer, pos: number, avail: number, fileOff: number): number {
    if (avail < PCAPNG_MIN_BLOCK) return PCAPNG_MIN_BLOCK;
    return this.blockLen(buf, pos, fileOff);
  }

  protected consume(buf: Buffer, pos: number, end: number, base: number): number {
    while (end - pos >= PCAPNG_MIN_BLOCK) {
      const total = this.blockLen(buf, pos, base);
      if (total === STOP) return STOP;
      if (end - pos < total) break;
      if (this.block(buf, pos, total, base + pos) === STOP) return STOP;
      pos += total;
    }
    return pos;
  }

  private u32(b: Buffer, o: number): number {
    return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  }

  private u16(b: Buffer, o: number): number {
    return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o);
  }

  /** Handle one whole block at pos of `total` bytes; off = its file offset. */
  private block(buf: Buffer, pos: number, total: number, off: number): number {
    if (buf.readUInt32LE(pos) === PCAPNG_SHB) return this.shb(buf, pos, total, off);
    const type = this.u32(buf, pos);
    const trailer = this.u32(buf, pos + total - 4);
    if (trailer !== total) {
      this.warn('block_length_mismatch', off + total - 4, `block at offset ${off}: trailing length ${trailer} != ${total}`);
    }
    const body = pos + 8;
    const bodyLen = total - 12;
    switch (type) {
      case BT_EPB:
      case BT_PB:
        this.packetBlock(buf, body, bodyLen, off, type === BT_PB);
        break;
      case BT_SPB:
        this.spb(buf, body, bodyLen, off);
        break;
      case BT_IDB:
        this.idb(buf, body, bodyLen, off);
        break;
      case BT_DSB:
        this.dsb(buf, body, bodyLen, off);
        break;
      default:
        if (!SKIPPED.has(type)) {
          this.warn('unknown_block', off, `unknown block type 0x${type.toString(16).padStart(8, '0')} at offset ${off} skipped`);
        }
    }
    return 0;
  }

  private shb(buf: Buffer, pos: number, total: number, off: number): number {
    const o = shbByteOrder(buf, pos);
    this.le = o === 'le';
    if (total < 28) {
      this.warn('malformed_block', off, `Section Header Block at offset ${off} is ${total} bytes (< 28); reading stopped`);
      return STOP;
    }
    const trailer = this.u32(buf, pos + total - 4);
    if (trailer !== total) {
      this.warn('block_length_mismatch', off + total - 4, `block at offset ${off}: trailing length ${trailer} != ${total}`);
    }
    const major = this.u16(buf, pos + 12);
    const minor = this.u16(buf, pos + 14);
    if (major !== 1) this.warn('unusual_version', off + 12, `pcapng section version ${major}.${minor} (expected 1.x)`);
    this.section++;
    this.sectionIfaces = [];
    return 0;
  }

  /** Walk options in [start, end): calls f(code, valueStart, valueLen). Stops at opt_endofopt. */
  private options(buf: Buffer, start: number, end: number, off: number, f: (code: number, v: number, len: number) => void): void {
    let p = start;
    while (end - p >= 4) {
      const code = this.u16(buf, p);
      const len = this.u16(buf, p + 2);
      if (code === 0) return;
      if (p + 4 + len > end) {
        this.warn('malformed_option', off, `option ${code} in block at offset ${off} runs past the block`);
        return;
      }
      f(code, p + 4, len);
      p += 4 + ((len + 3) & ~3);
    }
  }

  private idb(buf: Buffer, body: number, bodyLen: number, off: number): void {
    if (bodyLen < 8) {
      this.warn('malformed_block', off, `Interface Description Block at offset ${off} too short`);
      return;
    }
    if (this.totalIfaces >= PCAPNG_MAX_INTERFACES) {
      this.warn('too_many_interfaces', off, `Interface Description Block at offset ${off} ignored`);
      return;
    }
    const linkType = this.u16(buf, body);
    const snapLen = this.u32(buf, body + 4);
    let tsresol = 6;
    let tsoffset = 0;
    let name: string | undefined;
    let description: string | undefined;
    let fcsLen: number | undefined;
    this.options(buf, body + 8, body + bodyLen, off, (code, v, len) => {
      switch (code) {
        case 2:
          name = buf.toString('utf8', v, v + len).replace(/\0+$/, '');
          break;
        case 3:
          description = buf.toString('utf8', v, v + len).replace(/\0+$/, '');
          break;
        case 9:
          if (len >= 1) tsresol = buf[v]!;
          break;
        case 13:
          if (len >= 1) fcsLen = buf[v]!;
          break;
        case 14:
          if (len >= 8) tsoffset = Number(this.le ? buf.readBigInt64LE(v) : buf.readBigInt64BE(v));
          break;
      }
    });
    const n = BigInt(tsresol & 0x7f);
    const div = tsresol & 0x80 ? 1n << n : 10n ** n;
    const units = Number(div);
    const info: PcapngInterface = {
      id: this.totalIfaces,
      section: this.section,
      linkType,
      snapLen,
      tsUnitsPerSec: units,
      tsOffsetSec: tsoffset,
    };
    if (name !== undefined) info.name = name;
    if (description !== undefined) info.description = description;
    if (fcsLen !== undefined) info.fcsLen = fcsLen;
    this.interfaces.push(info);
    this.sectionIfaces.push({
      info,
      id: this.totalIfaces,
      linkType,
      snapLen,
      fastDiv: units === 1e6 || units === 1e9 ? units : 0,
      div,
      offset: tsoffset,
    });
    this.totalIfaces++;
  }

  private packetBlock(buf: Buffer, body: number, bodyLen: number, off: number, obsolete: boolean): void {
    if (bodyLen < 20) {
      this.warn('malformed_block', off, `packet block at offset ${off} too short`);
      return;
    }
    const local = obsolete ? this.u16(buf, body) : this.u32(buf, body);
    const iface = this.sectionIfaces[local];
    if (iface === undefined) {
      this.warn('unknown_interface', off, `packet block at offset ${off} references interface ${local}, not defined in section ${this.section}; skipped`);
      return;
    }
    const hi = this.u32(buf, body + 4);
    const lo = this.u32(buf, body + 8);
    let caplen = this.u32(buf, body + 12);
    let origLen = this.u32(buf, body + 16);
    if (caplen > bodyLen - 20) {
      this.warn('packet_exceeds_block', off, `packet block at offset ${off}: captured length ${caplen} > ${bodyLen - 20} bytes of body`);
      caplen = bodyLen - 20;
    }
    if (origLen < caplen) {
      this.warn('caplen_exceeds_origlen', off, `packet block at offset ${off}: captured length ${caplen} > original length ${origLen}`);
      origLen = caplen;
    }
    if (iface.snapLen !== 0 && caplen > iface.snapLen) {
      this.warn('caplen_exceeds_snaplen', off, `packet block at offset ${off}: captured length ${caplen} > snaplen ${iface.snapLen}`);
    }
    let sec: number;
    let nsec: number;
    const d = iface.fastDiv;
    if (d !== 0) {
      sec = div64(hi, lo, d);
      nsec = d === 1e6 ? REM * 1000 : REM;
    } else {
      const u = (BigInt(hi) << 32n) | BigInt(lo);
      sec = Number(u / iface.div);
      nsec = Number(((u % iface.div) * 1_000_000_000n) / iface.div);
    }
    sec += iface.offset;
    this.lastSec = sec;
    this.lastNsec = nsec;
    const data = body + 20;
    this.onPacket({
      index: this.index++,
      interfaceId: iface.id,
      linkType: iface.linkType,
      tsSec: sec,
      tsNsec: nsec,
      capLen: caplen,
      origLen,
      data: buf.subarray(data, data + caplen),
    });
  }

  private spb(buf: Buffer, body: number, bodyLen: number, off: number): void {
    if (bodyLen < 4) {
      this.warn('malformed_block', off, `Simple Packet Block at offset ${off} too short`);
      return;
    }
    const iface = this.sectionIfaces[0];
    if (iface === undefined) {
      this.warn('unknown_interface', off, `Simple Packet Block at offset ${off} but section ${this.section} has no interface; skipped`);
      return;
    }
    const origLen = this.u32(buf, body);
    let caplen = Math.min(origLen, bodyLen - 4);
    if (iface.snapLen !== 0) caplen = Math.min(caplen, iface.snapLen);
    this.warn('spb_no_timestamp', off, `Simple Packet Block at offset ${off} has no timestamp`);
    this.onPacket({
      index: this.index++,
      interfaceId: iface.id,
      linkType: iface.linkType,
      tsSec: this.lastSec,
      tsNsec: this.lastNsec,
      capLen: caplen,
      origLen,
      data: buf.subarray(body + 4, body + 4 + caplen),
    });
  }

  private dsb(buf: Buffer, body: number, bodyLen: number, off: number): void {
    if (bodyLen < 8) {
      this.warn('malformed_block', off, `Decryption Secrets Block at offset ${off} too short`);
      return;
    }
    const type = this.u32(buf, body);
    let len = this.u32(buf, body + 4);
    if (len > bodyLen - 8) {
      this.warn('malformed_block', off, `Decryption Secrets Block at offset ${off}: secrets length ${len} > body; clamped`);
      len = bodyLen - 8;
    }
    if (this.secretsBytes + len > PCAPNG_MAX_SECRETS) {
      this.warn('secrets_limit', off, `Decryption Secrets Block at offset ${off} dropped (total over ${PCAPNG_MAX_SECRETS} bytes)`);
      return;
    }
    this.secretsBytes += len;
    this.secrets.push({ type, data: new Uint8Array(buf.subarray(body + 8, body + 8 + len)) });
  }
}

/** Check the first SHB (source at offset 0) and return the byte order; CaptureError if invalid. */
export async function readPcapngStart(src: ChunkSource, name: string): Promise<'le' | 'be'> {
  const n = await src.fill(PCAPNG_MIN_BLOCK);
  const head = src.peek(PCAPNG_MIN_BLOCK);
  if (n < PCAPNG_MIN_BLOCK) throw new CaptureError(name, n, `truncated pcapng Section Header Block (${n} of 12 bytes)`);
  const o = shbByteOrder(head);
  if (o === null) {
    throw new CaptureError(name, 8, `bad pcapng byte-order magic 0x${head.subarray(8, 12).toString('hex')}`);
  }
  return o;
}
