/**
 * Packet builders for decoder tests: link headers, IPv4/IPv6 (options,
 * extension headers, fragments), TCP/UDP and tunnel encapsulations. Every
 * builder returns a fresh Uint8Array; lengths are filled in unless overridden.
 */
import type { Packet } from '../../src/core/types.js';
import { concat as concatBytes } from '../../tools/fixtures/scenarios/tlsbytes.js';

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

export function bytes(...v: number[]): Uint8Array {
  return Uint8Array.from(v);
}

function be16(v: number): number[] {
  return [(v >>> 8) & 255, v & 255];
}
function be32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

export function ip4Bytes(s: string): number[] {
  return s.split('.').map((x) => Number(x));
}

/** Parses IPv6 text (with "::" and an optional dotted tail) to 16 bytes. */
export function ip6Bytes(s: string): number[] {
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    tail = ip4Bytes(s.slice(lastColon + 1));
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  const out: number[] = [];
  for (const g of groups) out.push(...be16(parseInt(g, 16)));
  if (tail.length) out.splice(12, 4, ...tail);
  return out;
}

// ------------------------------------------------------------------ links

export interface VlanTag {
  tpid?: number;
  id: number;
}

export function ethernet(etherType: number, payload: Uint8Array, vlans: VlanTag[] = [], padTo = 0): Uint8Array {
  const hdr: number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  for (const v of vlans) hdr.push(...be16(v.tpid ?? 0x8100), ...be16(v.id & 0xfff));
  hdr.push(...be16(etherType));
  const f = concat(Uint8Array.from(hdr), payload);
  return f.length < padTo ? concat(f, new Uint8Array(padTo - f.length)) : f;
}

export function sll(proto: number, payload: Uint8Array): Uint8Array {
  return concat(bytes(0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, ...be16(proto)), payload);
}

export function sll2(proto: number, payload: Uint8Array): Uint8Array {
  return concat(bytes(...be16(proto), 0, 0, ...be32(2), 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0), payload);
}

/** BSD null header: family in little-endian (`le`) or big-endian order. */
export function nullLink(family: number, payload: Uint8Array, le: boolean): Uint8Array {
  const f = be32(family);
  return concat(Uint8Array.from(le ? f.reverse() : f), payload);
}

function le16(v: number): number[] {
  return [v & 255, (v >>> 8) & 255];
}
function le32(v: number): number[] {
  return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
}

/** PPP frame: HDLC address/control (unless `hdlc` is false), protocol (1 byte when compressible and `compress`). */
export function ppp(proto: number, payload: Uint8Array, o: { hdlc?: boolean; compress?: boolean } = {}): Uint8Array {
  const p = o.compress && proto < 256 ? [proto] : be16(proto);
  return concat(Uint8Array.from([...(o.hdlc === false ? [] : [0xff, 0x03]), ...p]), payload);
}

/** Cisco HDLC: address, control 0, EtherType. */
export function chdlc(etherType: number, payload: Uint8Array, address = 0x0f): Uint8Array {
  return concat(bytes(address, 0, ...be16(etherType)), payload);
}

/** PPPoE header (ver/type 0x11, `code`, session 0x1234, length) + PPP protocol + payload. */
export function pppoe(pppProto: number, payload: Uint8Array, code = 0): Uint8Array {
  return concat(bytes(0x11, code, 0x12, 0x34, ...be16(payload.length + 2), ...be16(pppProto)), payload);
}

export interface NflogOpts {
  /** TLV byte order (default little-endian). */
  le?: boolean;
  version?: number;
  /** Leave out the payload TLV. */
  noPayload?: boolean;
  /** Extra bits on the payload TLV type (netlink flags). */
  typeFlags?: number;
}

/** NFLOG: header, NFULA_PACKET_HDR, NFULA_PREFIX (odd length: padded), NFULA_PAYLOAD. */
export function nflog(family: number, payload: Uint8Array, o: NflogOpts = {}): Uint8Array {
  const h16 = (v: number) => (o.le === false ? be16(v) : le16(v));
  const tlv = (type: number, value: number[]) => {
    const out = [...h16(4 + value.length), ...h16(type), ...value];
    while (out.length % 4) out.push(0);
    return out;
  };
  const out = [family, o.version ?? 0, 0, 1];
  out.push(...tlv(1, [...be16(family === 10 ? 0x86dd : 0x0800), 3, 0])); // hw_protocol, hook, pad
  out.push(...tlv(10, [...[...'tls-x'].map((c) => c.charCodeAt(0)), 0])); // prefix "tls-x\0": 6 bytes, padded to 8
  if (!o.noPayload) out.push(...h16(4 + payload.length), ...h16(9 | (o.typeFlags ?? 0)));
  return o.noPayload ? Uint8Array.from(out) : concat(Uint8Array.from(out), payload);
}

/** pflog header of `len` bytes (padded to 4), BSD address family `af`. */
export function pflog(af: number, payload: Uint8Array, len = 61): Uint8Array {
  const h = new Uint8Array((len + 3) & ~3);
  h[0] = len;
  h[1] = af;
  h.set([...'em0'].map((c) => c.charCodeAt(0)), 4);
  return concat(h, payload);
}

/** OpenBSD enc header: family, SPI, flags in little- or big-endian order. */
export function enc(af: number, payload: Uint8Array, le = true): Uint8Array {
  const w = le ? le32 : be32;
  return concat(Uint8Array.from([...w(af), ...w(0x1000), ...w(0x0400)]), payload);
}

/** Solaris ipnet header (24 bytes). */
export function ipnet(family: number, payload: Uint8Array): Uint8Array {
  return concat(Uint8Array.from([1, family, 0, 0, ...be32(payload.length), ...be32(2), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), payload);
}

/** LLC/SNAP (RFC 1042) header + payload. */
export function snapLlc(etherType: number, payload: Uint8Array): Uint8Array {
  return concat(bytes(0xaa, 0xaa, 0x03, 0, 0, 0, ...be16(etherType)), payload);
}

export interface WlanOpts {
  /** Frame type (default 2, data). */
  type?: number;
  /** Subtype (default 8, QoS data; 0 plain data). */
  subtype?: number;
  toDs?: boolean;
  fromDs?: boolean;
  protected?: boolean;
  /** Order bit (+HTC in QoS frames). */
  order?: boolean;
  amsdu?: boolean;
  /** Pad the header to 4 bytes (radiotap DATAPAD). */
  dataPad?: boolean;
}

/** An IEEE 802.11 MAC header + body. */
export function wlan(body: Uint8Array, o: WlanOpts = {}): Uint8Array {
  const subtype = o.subtype ?? 8;
  const flags = (o.toDs ? 1 : 0) | (o.fromDs ? 2 : 0) | (o.protected ? 0x40 : 0) | (o.order ? 0x80 : 0);
  const h: number[] = [(subtype << 4) | ((o.type ?? 2) << 2), flags, 0x2c, 0];
  for (let a = 0; a < 3; a++) h.push(0x02, 0, 0, 0, a, 1);
  h.push(0x10, 0x00);
  if (o.toDs && o.fromDs) h.push(0x02, 0, 0, 0, 3, 1);
  if (subtype & 8) {
    h.push(o.amsdu ? 0x80 : 0x00, 0);
    if (o.order) h.push(0xde, 0xad, 0xbe, 0xef);
  }
  if (o.dataPad) while (h.length % 4) h.push(0xee);
  return concat(Uint8Array.from(h), body);
}

/** A-MSDU subframes (DA, SA, length, MSDU, padding to 4 but after the last). */
export function amsdu(...msdus: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  msdus.forEach((m, i) => {
    out.push(0x02, 0, 0, 0, 0, 9, 0x02, 0, 0, 0, 0, 8, ...be16(m.length), ...m);
    if (i + 1 < msdus.length) while (out.length % 4) out.push(0);
  });
  return Uint8Array.from(out);
}

/** Radiotap header: TSFT (optional), Flags, Rate; `ext` adds an extended present bitmap. */
export function radiotap(frame: Uint8Array, o: { flags?: number; tsft?: boolean; ext?: boolean; version?: number } = {}): Uint8Array {
  const present = (o.tsft ? 1 : 0) | 2 | 4 | (o.ext ? 0x80000000 : 0);
  const h: number[] = [o.version ?? 0, 0, 0, 0, ...le32(present)];
  if (o.ext) h.push(...le32(0));
  if (o.tsft) {
    while (h.length % 8) h.push(0);
    h.push(1, 2, 3, 4, 5, 6, 7, 8);
  }
  h.push(o.flags ?? 0, 12); // flags, rate 6 Mb/s
  h[2] = h.length & 255;
  h[3] = h.length >> 8;
  return concat(Uint8Array.from(h), frame);
}

/** Prism monitor header (144 bytes, msgcode 0x41, host order). */
export function prism(frame: Uint8Array): Uint8Array {
  const h = new Uint8Array(144);
  h.set([...le32(0x41), ...le32(144)], 0);
  return concat(h, frame);
}

/** AVS capture header, version 1 (64 bytes). */
export function avs(frame: Uint8Array): Uint8Array {
  const h = new Uint8Array(64);
  h.set([...be32(0x80211001), ...be32(64)], 0);
  return concat(h, frame);
}

/** PPI header (8 bytes + `extra` field bytes) announcing link type `dlt`. */
export function ppi(dlt: number, frame: Uint8Array, extra = 0): Uint8Array {
  return concat(Uint8Array.from([0, 0, ...le16(8 + extra), ...le32(dlt)]), new Uint8Array(extra), frame);
}

// ------------------------------------------------------------------ IP

export interface Ipv4Opts {
  src?: string;
  dst?: string;
  proto: number;
  payload: Uint8Array;
  id?: number;
  /** Options bytes (padded to 4 here). */
  options?: Uint8Array;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  mf?: boolean;
  df?: boolean;
  totalLen?: number;
  ttl?: number;
}

export function ipv4(o: Ipv4Opts): Uint8Array {
  let opts = o.options ?? new Uint8Array(0);
  if (opts.length % 4) opts = concat(opts, new Uint8Array(4 - (opts.length % 4)));
  const hl = 20 + opts.length;
  const total = o.totalLen ?? hl + o.payload.length;
  const ff = ((o.fragOffset ?? 0) / 8) | (o.mf ? 0x2000 : 0) | (o.df ? 0x4000 : 0);
  const h = [
    0x40 | (hl / 4),
    0,
    ...be16(total),
    ...be16(o.id ?? 1),
    ...be16(ff),
    o.ttl ?? 64,
    o.proto,
    0,
    0,
    ...ip4Bytes(o.src ?? '10.0.0.1'),
    ...ip4Bytes(o.dst ?? '10.0.0.2'),
  ];
  return concat(Uint8Array.from(h), opts, o.payload);
}

/** Splits an IPv4 datagram's payload into fragments of `size` (multiple of 8) bytes. */
export function ipv4Fragments(o: Ipv4Opts, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < o.payload.length; off += size) {
    const part = o.payload.subarray(off, off + size);
    out.push(ipv4({ ...o, payload: part, fragOffset: off, mf: off + size < o.payload.length }));
  }
  return out;
}

export interface Ext {
  type: number;
  /** Body after the next-header/length bytes (generic) — padded to 8n-2 here. */
  body?: Uint8Array;
}

export interface Ipv6Opts {
  src?: string;
  dst?: string;
  nh: number;
  payload: Uint8Array;
  ext?: Ext[];
  plen?: number;
}

/** Extension header bytes for `type` followed by `next`. */
export function extHeader(type: number, next: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (type === 51) {
    // AH: (len + 2) * 4 bytes, minimum 12
    let b = body.length < 10 ? concat(body, new Uint8Array(10 - body.length)) : body;
    if ((b.length + 2) % 4) b = concat(b, new Uint8Array(4 - ((b.length + 2) % 4)));
    return concat(bytes(next, (b.length + 2) / 4 - 2), b);
  }
  let b = body.length < 6 ? concat(body, new Uint8Array(6 - body.length)) : body;
  if ((b.length + 2) % 8) b = concat(b, new Uint8Array(8 - ((b.length + 2) % 8)));
  return concat(bytes(next, (b.length + 2) / 8 - 1), b);
}

export function ipv6(o: Ipv6Opts): Uint8Array {
  const exts = o.ext ?? [];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const next = i + 1 < exts.length ? exts[i + 1]!.type : o.nh;
    parts.push(extHeader(exts[i]!.type, next, exts[i]!.body));
  }
  const first = exts.length ? exts[0]!.type : o.nh;
  const payload = concat(...parts, o.payload);
  const h = [0x60, 0, 0, 0, ...be16(o.plen ?? payload.length), first, 64, ...ip6Bytes(o.src ?? '2001:db8::1'), ...ip6Bytes(o.dst ?? '2001:db8::2')];
  return concat(Uint8Array.from(h), payload);
}

export function ipv6FragHeader(next: number, offset: number, more: boolean, id: number): Uint8Array {
  return bytes(next, 0, ...be16(offset | (more ? 1 : 0)), ...be32(id));
}

/** Fragments of an IPv6 packet (upper layer `nh` + `payload`) in pieces of `size` (multiple of 8). */
export function ipv6Fragments(o: Ipv6Opts, size: number, id = 0x1234): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < o.payload.length; off += size) {
    const part = o.payload.subarray(off, off + size);
    const fh = ipv6FragHeader(o.nh, off, off + size < o.payload.length, id);
    const body = concat(fh, part);
    const h = [0x60, 0, 0, 0, ...be16(body.length), 44, 64, ...ip6Bytes(o.src ?? '2001:db8::1'), ...ip6Bytes(o.dst ?? '2001:db8::2')];
    out.push(concat(Uint8Array.from(h), body));
  }
  return out;
}

// ------------------------------------------------------------------ transport

export interface TcpOpts {
  sport?: number;
  dport?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  options?: Uint8Array;
  payload?: Uint8Array;
  /** Override the data offset (in 32-bit words). */
  dataOffsetWords?: number;
}

export function tcpOptions(o: { mss?: number; wscale?: number; sackPermitted?: boolean; ts?: [number, number] }): Uint8Array {
  const b: number[] = [];
  if (o.mss !== undefined) b.push(2, 4, ...be16(o.mss));
  if (o.sackPermitted) b.push(4, 2);
  if (o.ts) b.push(8, 10, ...be32(o.ts[0]), ...be32(o.ts[1]));
  if (o.wscale !== undefined) b.push(1, 3, 3, o.wscale);
  while (b.length % 4) b.push(0);
  return Uint8Array.from(b);
}

export function tcp(o: TcpOpts = {}): Uint8Array {
  let opts = o.options ?? new Uint8Array(0);
  if (opts.length % 4) opts = concat(opts, new Uint8Array(4 - (opts.length % 4)));
  const words = o.dataOffsetWords ?? 5 + opts.length / 4;
  const h = [
    ...be16(o.sport ?? 40000),
    ...be16(o.dport ?? 443),
    ...be32(o.seq ?? 1000),
    ...be32(o.ack ?? 0),
    words << 4,
    o.flags ?? 0x18,
    ...be16(o.window ?? 65535),
    0,
    0,
    0,
    0,
  ];
  return concat(Uint8Array.from(h), opts, o.payload ?? new Uint8Array(0));
}

export function udp(o: { sport?: number; dport?: number; payload?: Uint8Array; len?: number } = {}): Uint8Array {
  const p = o.payload ?? new Uint8Array(0);
  return concat(bytes(...be16(o.sport ?? 50000), ...be16(o.dport ?? 53), ...be16(o.len ?? 8 + p.length), 0, 0), p);
}

// ------------------------------------------------------------------ tunnels

export function gre(proto: number, payload: Uint8Array, o: { csum?: boolean; key?: number; seq?: number } = {}): Uint8Array {
  let flags = 0;
  const extra: number[] = [];
  if (o.csum) {
    flags |= 0x8000;
    extra.push(0, 0, 0, 0);
  }
  if (o.key !== undefined) {
    flags |= 0x2000;
    extra.push(...be32(o.key));
  }
  if (o.seq !== undefined) {
    flags |= 0x1000;
    extra.push(...be32(o.seq));
  }
  return concat(bytes(...be16(flags), ...be16(proto), ...extra), payload);
}

export function erspan2(frame: Uint8Array, vlan = 0, session = 1): Uint8Array {
  return concat(bytes(0x10 | ((vlan >> 8) & 15), vlan & 255, (session >> 8) & 3, session & 255, 0, 0, 0, 0), frame);
}

export function erspan3(frame: Uint8Array, o: { subheader?: boolean; frameType?: number } = {}): Uint8Array {
  const ft = o.frameType ?? 0;
  const h = bytes(0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, (ft & 0x1f) << 2, o.subheader ? 1 : 0);
  return concat(h, o.subheader ? new Uint8Array(8) : new Uint8Array(0), frame);
}

export function vxlan(frame: Uint8Array, vni = 42): Uint8Array {
  return concat(bytes(0x08, 0, 0, 0, (vni >> 16) & 255, (vni >> 8) & 255, vni & 255, 0), frame);
}

export function geneve(proto: number, inner: Uint8Array, optWords = 0): Uint8Array {
  const opts = new Uint8Array(optWords * 4);
  return concat(bytes(optWords & 0x3f, 0, ...be16(proto), 0, 0, 42, 0), opts, inner);
}

// ------------------------------------------------------------------ packets

let nextIndex = 0;

export function packet(linkType: number, data: Uint8Array, o: { index?: number; interfaceId?: number; tsSec?: number; tsNsec?: number; origLen?: number } = {}): Packet {
  return {
    index: o.index ?? nextIndex++,
    interfaceId: o.interfaceId ?? 0,
    linkType,
    tsSec: o.tsSec ?? 1_700_000_000,
    tsNsec: o.tsNsec ?? 0,
    capLen: data.length,
    origLen: o.origLen ?? data.length,
    data,
  };
}

/** Cuts a frame to `snap` bytes, keeping origLen (snaplen truncation). */
export function snap(p: Packet, snapLen: number): Packet {
  const data = p.data.subarray(0, snapLen);
  return { ...p, data, capLen: data.length, origLen: p.origLen };
}

export const ETH = 1;
export const RAW = 101;
export const SLL = 113;
export const SLL2 = 276;
export const NULL = 0;
export const LOOP = 108;
export const PPP = 9;
export const PPP_HDLC = 50;
export const PPP_ETHER = 51;
export const C_HDLC = 104;
export const WLAN = 105;
export const ENC = 109;
export const PFLOG = 117;
export const PRISM = 119;
export const RADIOTAP = 127;
export const AVS = 163;
export const PPP_PPPD = 166;
export const PPI = 192;
export const PPP_WITH_DIR = 204;
export const C_HDLC_WITH_DIR = 205;
export const IPNET = 226;
export const NFLOG = 239;
