/**
 * Classic pcap reader (draft-ietf-opsawg-pcap).
 *
 * File header (section 4, 24 bytes): Magic Number (0xA1B2C3D4 = microsecond,
 * 0xA1B23C4D = nanosecond timestamps, in the writer's byte order), Major and
 * Minor Version (2.4), two reserved fields, SnapLen, and the LinkType and
 * additional information field (bits 0-15 LinkType, bits 16-25 reserved,
 * bit 26 "f" (FCS length present), bits 28-31 FCS length).
 *
 * Packet record (section 5): Timestamp (seconds), Timestamp (micro- or
 * nanoseconds), Captured Packet Length, Original Packet Length, Packet Data
 * (Captured Packet Length bytes, no padding).
 */
import { CaptureError, type Packet } from '../core/types.js';
import { RecordReader, STOP } from './base.js';
import type { ChunkSource } from './source.js';
import type { CaptureInfo, InterfaceInfo } from './types.js';

export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** Captured lengths above 256 KiB + min(snaplen, 16 MiB) are treated as corruption. */
export const PCAP_MAX_EXTRA = 256 * 1024;

export interface PcapHeader {
  le: boolean;
  nano: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLen: number;
  linkType: number;
  /** Raw LinkType/FCS field. */
  linkField: number;
  /** FCS length in 16-bit words when the f bit is set. */
  fcsLen?: number;
}

/** Recognise a classic pcap magic (first 4 bytes); null if not pcap. */
export function pcapMagic(b: Uint8Array): { le: boolean; nano: boolean } | null {
  if (b.length < 4) return null;
  const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const le = ((b[3]! << 24) | (b[2]! << 16) | (b[1]! << 8) | b[0]!) >>> 0;
  if (be === 0xa1b2c3d4) return { le: false, nano: false };
  if (be === 0xa1b23c4d) return { le: false, nano: true };
  if (le === 0xa1b2c3d4) return { le: true, nano: false };
  if (le === 0xa1b23c4d) return { le: true, nano: true };
  return null;
}


/**
 * The one interface of a classic pcap file, from its header (both readers:
 * tlsscope's and pcap-parser's), warning about an unusual version or high
 * bits in the LinkType field (draft-ietf-opsawg-pcap section 4).
 */
export function pcapInterface(h: PcapHeader, warn: (code: string, offset: number, message: string) => void): PcapInterface {
  const iface: PcapInterface = { id: 0, section: 0, linkType: h.linkType, snapLen: h.snapLen, tsUnitsPerSec: h.nano ? 1e9 : 1e6, tsOffsetSec: 0 };
  if (h.fcsLen !== undefined) iface.fcsLen = h.fcsLen;
  if (h.versionMajor !== 2 || h.versionMinor !== 4) {
    warn('unusual_version', 4, `pcap version ${h.versionMajor}.${h.versionMinor} (expected 2.4)`);
  }
  if (h.linkField >>> 16 !== 0) {
    warn('link_type_high_bits', 20, `LinkType field 0x${h.linkField.toString(16).padStart(8, '0')}: using link type ${h.linkType}`);
  }
  return iface;
}

/** Parse the 24-byte file header; null if the magic is not pcap. */
export function parsePcapHeader(b: Buffer): PcapHeader | null {
  const m = pcapMagic(b);
  if (m === null || b.length < PCAP_HEADER_LEN) return null;
  const u16 = (o: number): number => (m.le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number): number => (m.le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkField = u32(20);
  const h: PcapHeader = {
    le: m.le,
    nano: m.nano,
    versionMajor: u16(4),
    versionMinor: u16(6),
    snapLen: u32(16),
    linkType: linkField & 0xffff,
    linkField,
  };
  if (linkField & 0x04000000) h.fcsLen = linkField >>> 28;
  return h;
}

export class PcapReader extends RecordReader {
  private readonly le: boolean;
  private readonly nano: boolean;
  private readonly linkType: number;
  private readonly snapLen: number;
  private readonly maxCap: number;
  /**
   * The one Packet object handed to every onPacket call (its fields are
   * rewritten for each record: read them during the call). `data` is a plain
   * Uint8Array view of the chunk (copy what you keep: see Packet.data).
   */
  private readonly pkt: Packet = { index: 0, interfaceId: 0, linkType: 0, tsSec: 0, tsNsec: 0, capLen: 0, origLen: 0, data: new Uint8Array(0) };

  /** `src` must be positioned just after the 24-byte file header. */
  constructor(info: CaptureInfo, src: ChunkSource, name: string, h: PcapHeader) {
    super(info, src, name, PCAP_RECORD_HEADER_LEN);
    this.le = h.le;
    this.nano = h.nano;
    this.linkType = h.linkType;
    this.snapLen = h.snapLen;
    this.maxCap = PCAP_MAX_EXTRA + Math.min(h.snapLen, 16 << 20);
    this.interfaces.push(pcapInterface(h, (code, offset, message) => this.warn(code, offset, message)));
  }

  protected need(buf: Buffer, pos: number, avail: number, fileOff: number): number {
    if (avail < PCAP_RECORD_HEADER_LEN) return PCAP_RECORD_HEADER_LEN;
    const caplen = this.le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
    if (caplen > this.maxCap) {
      this.tooLarge(caplen, fileOff + pos);
      return STOP;
    }
    return PCAP_RECORD_HEADER_LEN + caplen;
  }

  private tooLarge(caplen: number, off: number): void {
    this.warn('record_too_large', off, `record at offset ${off} claims ${caplen} captured bytes (cap ${this.maxCap}); reading stopped`);
  }

  protected consume(buf: Buffer, pos: number, end: number, base: number): number {
    const le = this.le;
    const maxCap = this.maxCap;
    const onPacket = this.onPacket;
    const linkType = this.linkType;
    const frac = this.nano ? 1e9 : 1e6;
    const mul = this.nano ? 1 : 1000;
    const pkt = this.pkt;
    pkt.linkType = linkType;
    const ab = buf.buffer;
    const abOff = buf.byteOffset;
    while (end - pos >= PCAP_RECORD_HEADER_LEN) {
      let caplen: number, tsSec: number, tsFrac: number, origLen: number;
      if (le) {
        caplen = (buf[pos + 8]! | (buf[pos + 9]! << 8) | (buf[pos + 10]! << 16) | (buf[pos + 11]! << 24)) >>> 0;
        if (caplen > maxCap) {
          this.tooLarge(caplen, base + pos);
          return STOP;
        }
        if (end - pos - PCAP_RECORD_HEADER_LEN < caplen) break;
        tsSec = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
        tsFrac = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0;
        origLen = (buf[pos + 12]! | (buf[pos + 13]! << 8) | (buf[pos + 14]! << 16) | (buf[pos + 15]! << 24)) >>> 0;
      } else {
        caplen = buf.readUInt32BE(pos + 8);
        if (caplen > maxCap) {
          this.tooLarge(caplen, base + pos);
          return STOP;
        }
        if (end - pos - PCAP_RECORD_HEADER_LEN < caplen) break;
        tsSec = buf.readUInt32BE(pos);
        tsFrac = buf.readUInt32BE(pos + 4);
        origLen = buf.readUInt32BE(pos + 12);
      }
      if (tsFrac >= frac) {
        this.warn('bad_timestamp_fraction', base + pos + 4, `sub-second field ${tsFrac} >= ${frac}; normalized`);
        tsSec += Math.floor(tsFrac / frac);
        tsFrac %= frac;
      }
      if (origLen < caplen) {
        this.warn('caplen_exceeds_origlen', base + pos + 8, `captured length ${caplen} > original length ${origLen}`);
        origLen = caplen;
      }
      if (caplen > this.snapLen && this.snapLen !== 0) {
        this.warn('caplen_exceeds_snaplen', base + pos + 8, `captured length ${caplen} > snaplen ${this.snapLen}`);
      }
      const d = pos + PCAP_RECORD_HEADER_LEN;
      pkt.index = this.index++;
      pkt.tsSec = tsSec;
      pkt.tsNsec = tsFrac * mul;
      pkt.capLen = caplen;
      pkt.origLen = origLen;
      pkt.data = new Uint8Array(ab, abOff + d, caplen);
      onPacket(pkt);
      pos = d + caplen;
    }
    return pos;
  }
}

/** InterfaceInfo plus the pcap FCS length (optional extension). */
export type PcapInterface = InterfaceInfo & { fcsLen?: number };

/** Read and check the pcap file header from a source positioned at 0; the source is left after it. */
export async function readPcapHeader(src: ChunkSource, name: string): Promise<PcapHeader> {
  const n = await src.fill(PCAP_HEADER_LEN);
  const h = parsePcapHeader(src.peek(PCAP_HEADER_LEN));
  if (h === null) {
    throw new CaptureError(name, n, `truncated pcap file header (${n} of ${PCAP_HEADER_LEN} bytes)`);
  }
  src.skip(PCAP_HEADER_LEN);
  return h;
}
