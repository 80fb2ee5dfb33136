/**
 * Packet decoder: link layer -> IP (with fragment reassembly and tunnels) ->
 * TCP/UDP segments, sent to a DecodeSink.
 *
 * Captures are hostile input: nothing here throws on malformed bytes, every
 * length is checked against the bytes present, loops consume bytes and
 * encapsulation depth is bounded. Problems are reported as anomalies with the
 * codes of `anomalies.ts`.
 *
 * Hot path: plain offsets into the packet's Uint8Array, one reused Segment
 * object whose payload is a view of the packet (or of a reassembled datagram;
 * one shared empty array when there is no payload). The address text
 * (`srcIp` / `dstIp`) is formatted only when read: flow tables key IPv4 on
 * `srcAddr4` / `dstAddr4` and read the text once per new flow.
 */
import type { Anomaly, Layer, Packet } from '../core/types.js';
import type { DecodeSink, DecoderStats, Segment, TcpOptions } from './types.js';
import { TCP_SYN } from './types.js';
import { Ipv4TextCache, Ipv6TextMemo, parseIpv4Text } from './addr.js';
import { u16, u16le, u32 } from './bytes.js';
import {
  ETH_HEADER_LEN,
  ETH_IPV4,
  ETH_IPV6,
  ETH_MPLS,
  ETH_MPLS_MC,
  ETH_PPPOE_SESSION,
  ETH_TEB,
  isVlanTpid,
  snapEtherType,
} from './ethernet.js';
import { SLL2_HEADER_LEN, SLL_HEADER_LEN, sll2Protocol, sllProtocol } from './sll.js';
import { LOOP_HEADER_LEN, bsdFamilyVersion, nullFamily } from './loopback.js';
import { mplsSkipLabels } from './mpls.js';
import {
  PPPOE_CODE_SESSION,
  PPPOE_HEADER_LEN,
  PPP_IPV4,
  PPP_IPV6,
  pppHeader,
  pppdProtocolOffset,
  pppoePayloadEnd,
  type PppHeader,
} from './ppp.js';
import { CHDLC_HEADER_LEN, chdlcProtocol, isChdlcAddress } from './chdlc.js';
import { NFLOG_AF_INET, NFLOG_AF_INET6, nflogPayload, type NflogPayload } from './nflog.js';
import { pflogFamily, pflogHeaderLen } from './pflog.js';
import { ENC_HEADER_LEN, encFamily } from './enc.js';
import { IPNET_HEADER_LEN, ipnetFamily } from './ipnet.js';
import { RADIOTAP_F_BADFCS, RADIOTAP_F_DATAPAD, RADIOTAP_F_FCS, radiotapFlags, radiotapLength } from './radiotap.js';
import { avsHeaderLen, prismHeaderLen } from './prism.js';
import { ppiHeaderLen, ppiLinkType } from './ppi.js';
import { AMSDU_SUBHEADER_LEN, amsduSubframeLen, parseWlanData, type WlanData } from './wlan.js';
import { parseIpv4, type Ipv4Header } from './ipv4.js';
import {
  IPV6_FRAG_HEADER_LEN,
  IPV6_HEADER_LEN,
  NH_AH,
  NH_ESP,
  NH_FRAGMENT,
  NH_NONE,
  extHeaderLen,
  isGenericExtHeader,
  parseIpv6Fragment,
  type Ipv6Fragment,
} from './ipv6.js';
import { FragmentReassembler, type FragmentAnomalyFn, type Reassembled } from './fragments.js';
import { TCP_MIN_HEADER, parseTcpOptions } from './tcp.js';
import { PORT_GENEVE, PORT_VXLAN, PORT_VXLAN_GPE, UDP_HEADER_LEN } from './udp.js';
import { GRE_ERSPAN_II, GRE_ERSPAN_III, GRE_PPP, GRE_S, parseGre, type GreHeader } from './gre.js';
import { parseErspan, type ErspanHeader } from './erspan.js';
import { GPE_ETHERNET, GPE_IPV4, GPE_IPV6, VXLAN_FLAG_I, VXLAN_HEADER_LEN } from './vxlan.js';
import { parseGeneve, type GeneveHeader } from './geneve.js';

/** LINKTYPE_* values (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_PPP_ETHER = 51;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_ENC = 109;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_PFLOG = 117;
export const LINKTYPE_IEEE802_11_PRISM = 119;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_IEEE802_11_AVS = 163;
export const LINKTYPE_PPP_PPPD = 166;
export const LINKTYPE_PPI = 192;
export const LINKTYPE_PPP_WITH_DIR = 204;
export const LINKTYPE_C_HDLC_WITH_DIR = 205;
export const LINKTYPE_IPNET = 226;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_LINUX_SLL2 = 276;

/** Link types the decoder understands. */
export const SUPPORTED_LINK_TYPES: readonly number[] = [
  0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 109, 113, 117, 119, 127, 163, 166, 192, 204, 205, 226, 228, 229, 239, 276,
];

export interface DecoderOptions {
  /** Largest reassembled IP payload (default 65535). */
  maxFragmentBytes?: number;
  /** IP datagrams being reassembled at once (default 4096). */
  maxFragmentDatagrams?: number;
  /** Capture-time seconds an incomplete datagram is kept (default 30). */
  fragmentTimeoutSec?: number;
  /** Bytes held for reassembly in total (default 64 MiB). */
  maxFragmentTotalBytes?: number;
  /** Maximum tunnel nesting (default 8). */
  maxDepth?: number;
}

const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;

export class Decoder {
  readonly stats: DecoderStats = { packets: 0, decoded: 0, unsupportedLink: 0, other: 0, fragments: 0, reassembledDatagrams: 0 };

  private readonly sink: DecodeSink;
  private readonly frags: FragmentReassembler;
  private readonly maxDepth: number;
  private readonly reportedLinks = new Set<number>();
  private readonly reportedProtected = new Set<number>();
  private readonly v4text = new Ipv4TextCache();
  private readonly v6text = new Ipv6TextMemo();
  private readonly vlans: number[] = [];
  private readonly seg: Segment;
  // scratch header objects
  private readonly ip4: Ipv4Header = { headerLen: 0, totalLen: 0, id: 0, fragOffset: 0, moreFragments: false, proto: 0 };
  private readonly frag6: Ipv6Fragment = { next: 0, offset: 0, more: false, id: 0 };
  private readonly gre: GreHeader = { flags: 0, proto: 0, version: 0, next: 0 };
  private readonly erspan: ErspanHeader = { version: 0, frameType: 0, next: 0 };
  private readonly geneve: GeneveHeader = { version: 0, proto: 0, next: 0 };
  private readonly ppp: PppHeader = { proto: 0, next: 0 };
  private readonly nflog: NflogPayload = { start: 0, end: 0 };
  private readonly wlanData: WlanData = { body: 0, amsdu: false };

  // per-packet state
  private pkt: Packet | undefined;
  private tsFloat = 0;
  private emitted = 0;
  private sawFragment = false;
  private truncatedFrame = false;
  private depth = 0;
  private tunnel: string | undefined;
  /** The unsupported link type inside a PPI header, -1 when none. */
  private innerLinkType = -1;
  // current IP addresses: formatted lazily from (addrBuf, srcOff, dstOff)
  private ipVersion: 4 | 6 = 4;
  private addrBuf: Uint8Array = new Uint8Array(0);
  private srcOff = 0;
  private dstOff = 0;
  /** @internal (LazySegment) */
  srcText: string | undefined;
  /** @internal (LazySegment) */
  dstText: string | undefined;
  private src4: number | undefined = undefined;
  private dst4: number | undefined = undefined;

  private readonly fragAnomaly: FragmentAnomalyFn = (code, detail) => this.anomaly(code, 'ip', detail);

  constructor(sink: DecodeSink, opts: DecoderOptions = {}) {
    this.sink = sink;
    this.maxDepth = opts.maxDepth ?? 8;
    this.frags = new FragmentReassembler({
      ...(opts.maxFragmentBytes !== undefined ? { maxDatagramBytes: opts.maxFragmentBytes } : {}),
      ...(opts.maxFragmentDatagrams !== undefined ? { maxDatagrams: opts.maxFragmentDatagrams } : {}),
      ...(opts.fragmentTimeoutSec !== undefined ? { timeoutSec: opts.fragmentTimeoutSec } : {}),
      ...(opts.maxFragmentTotalBytes !== undefined ? { maxTotalBytes: opts.maxFragmentTotalBytes } : {}),
    });
    this.seg = new LazySegment(this, this.vlans);
  }

  /** Decodes one captured frame; emits 0..n segments and anomalies to the sink. */
  decode(p: Packet): void {
    const st = this.stats;
    st.packets++;
    this.pkt = p;
    this.tsFloat = p.tsSec + p.tsNsec / 1e9;
    this.emitted = 0;
    this.sawFragment = false;
    this.truncatedFrame = p.capLen < p.origLen;
    this.depth = 0;
    this.tunnel = undefined;
    if (this.vlans.length !== 0) this.vlans.length = 0;
    if (this.frags.size > 0) this.frags.expire(this.tsFloat, this.fragAnomaly);
    const b = p.data;
    const end = b.length;
    this.innerLinkType = -1;
    if (!this.link(p.linkType, b, 0, end, false)) {
      st.unsupportedLink++;
      if (!this.reportedLinks.has(p.interfaceId)) {
        this.reportedLinks.add(p.interfaceId);
        const inner = this.innerLinkType >= 0 ? ` carrying link type ${this.innerLinkType}` : '';
        this.anomaly('unsupported_link_type', 'link', `link type ${p.linkType}${inner} on interface ${p.interfaceId}`);
      }
      this.pkt = undefined;
      return;
    }
    if (this.emitted > 0) st.decoded++;
    else if (!this.sawFragment) st.other++;
    this.pkt = undefined;
  }

  /** End of capture: reports IP datagrams left incomplete. */
  finish(): void {
    this.frags.finish((code, detail) => this.sink.anomaly({ code, layer: 'ip', ...(detail !== undefined ? { detail } : {}) }));
  }

  // ---------------------------------------------------------------- helpers

  private anomaly(code: string, layer: Layer, detail?: string): void {
    const a: Anomaly = { code, layer };
    if (this.pkt) a.packetIndex = this.pkt.index;
    if (detail !== undefined) a.detail = detail;
    this.sink.anomaly(a);
  }

  /** Enters one more level of encapsulation; false (and reported) when too deep. */
  private enter(name: string): boolean {
    if (this.depth >= this.maxDepth) {
      this.anomaly('tunnel_too_deep', 'link', `${name} at depth ${this.depth}`);
      return false;
    }
    if (this.depth === 0) this.tunnel = name;
    this.depth++;
    return true;
  }

  private setAddrs(ver: 4 | 6, b: Uint8Array, srcOff: number, dstOff: number): void {
    this.ipVersion = ver;
    this.addrBuf = b;
    this.srcOff = srcOff;
    this.dstOff = dstOff;
    this.srcText = undefined;
    this.dstText = undefined;
    if (ver === 4) {
      this.src4 = ((b[srcOff]! << 24) | (b[srcOff + 1]! << 16) | (b[srcOff + 2]! << 8) | b[srcOff + 3]!) >>> 0;
      this.dst4 = ((b[dstOff]! << 24) | (b[dstOff + 1]! << 16) | (b[dstOff + 2]! << 8) | b[dstOff + 3]!) >>> 0;
    } else {
      this.src4 = undefined;
      this.dst4 = undefined;
    }
  }

  /** @internal (LazySegment) */
  src(): string {
    if (this.srcText === undefined) {
      this.srcText = this.ipVersion === 4 ? this.v4text.get(this.addrBuf, this.srcOff) : this.v6text.get(this.addrBuf, this.srcOff);
    }
    return this.srcText;
  }

  /** @internal (LazySegment) */
  dst(): string {
    if (this.dstText === undefined) {
      this.dstText = this.ipVersion === 4 ? this.v4text.get(this.addrBuf, this.dstOff) : this.v6text.get(this.addrBuf, this.dstOff);
    }
    return this.dstText;
  }

  // ---------------------------------------------------------------- link

  /**
   * Decodes a frame of link type `lt` at `off`; false when the link type is
   * not supported. `inner`: inside a PPI header (no second PPI).
   */
  private link(lt: number, b: Uint8Array, off: number, end: number, inner: boolean): boolean {
    switch (lt) {
      case LINKTYPE_ETHERNET:
        this.ethernet(b, off, end);
        return true;
      case LINKTYPE_LINUX_SLL: {
        const proto = sllProtocol(b, off, end);
        if (proto < 0) this.anomaly('link_truncated', 'link', 'SLL header');
        else this.etherType(proto, b, off + SLL_HEADER_LEN, end);
        return true;
      }
      case LINKTYPE_LINUX_SLL2: {
        const proto = sll2Protocol(b, off, end);
        if (proto < 0) this.anomaly('link_truncated', 'link', 'SLL2 header');
        else this.etherType(proto, b, off + SLL2_HEADER_LEN, end);
        return true;
      }
      case LINKTYPE_RAW:
      case 12:
      case 14:
        this.rawIp(b, off, end);
        return true;
      case LINKTYPE_IPV4:
        this.ipv4(b, off, end);
        return true;
      case LINKTYPE_IPV6:
        this.ipv6(b, off, end);
        return true;
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP: {
        const fam = nullFamily(b, off, end, lt === LINKTYPE_LOOP);
        if (fam < 0) this.anomaly('link_truncated', 'link', 'loopback header');
        else if (fam === 4) this.ipv4(b, off + LOOP_HEADER_LEN, end);
        else if (fam === 6) this.ipv6(b, off + LOOP_HEADER_LEN, end);
        else this.anomaly('unknown_loopback_family', 'link', `family ${u32(b, off)}`);
        return true;
      }
      case LINKTYPE_PPP:
        this.pppPayload(b, off, end, true);
        return true;
      case LINKTYPE_PPP_HDLC:
        if (off < end && isChdlcAddress(b[off])) this.chdlc(b, off, end);
        else this.pppPayload(b, off, end, true);
        return true;
      case LINKTYPE_PPP_WITH_DIR:
        if (off >= end) this.anomaly('link_truncated', 'link', 'PPP direction byte');
        else this.pppPayload(b, off + 1, end, true);
        return true;
      case LINKTYPE_PPP_PPPD: {
        const p = pppdProtocolOffset(b, off, end);
        if (p < 0) this.anomaly('link_truncated', 'link', 'PPP header');
        else this.pppPayload(b, p, end, true);
        return true;
      }
      case LINKTYPE_PPP_ETHER:
        if (end - off >= PPPOE_HEADER_LEN && b[off + 1] !== PPPOE_CODE_SESSION) return true; // discovery stage
        this.pppoe(b, off, end);
        return true;
      case LINKTYPE_C_HDLC:
        this.chdlc(b, off, end);
        return true;
      case LINKTYPE_C_HDLC_WITH_DIR:
        if (off >= end) this.anomaly('link_truncated', 'link', 'Cisco HDLC direction byte');
        else this.chdlc(b, off + 1, end);
        return true;
      case LINKTYPE_NFLOG:
        this.nflogFrame(b, off, end);
        return true;
      case LINKTYPE_PFLOG: {
        const len = pflogHeaderLen(b, off, end);
        if (len === -1) this.anomaly('link_truncated', 'link', 'pflog header');
        else if (len < 0) this.anomaly('link_bad_header', 'link', `pflog header length ${b[off]!}`);
        else {
          const fam = pflogFamily(b, off);
          this.familyIp(bsdFamilyVersion(fam), b, off + len, end, 'pflog', fam);
        }
        return true;
      }
      case LINKTYPE_ENC: {
        const v = encFamily(b, off, end);
        if (v < 0) this.anomaly('link_truncated', 'link', 'enc header');
        else this.familyIp(v, b, off + ENC_HEADER_LEN, end, 'enc', u32(b, off));
        return true;
      }
      case LINKTYPE_IPNET: {
        const v = ipnetFamily(b, off, end);
        if (v < 0) this.anomaly('link_truncated', 'link', 'IPNET header');
        else this.familyIp(v, b, off + IPNET_HEADER_LEN, end, 'IPNET', b[off + 1]!);
        return true;
      }
      case LINKTYPE_IEEE802_11:
        this.wlan(b, off, end, false);
        return true;
      case LINKTYPE_IEEE802_11_RADIOTAP: {
        const len = radiotapLength(b, off, end);
        if (len === -1) this.anomaly('link_truncated', 'link', 'radiotap header');
        else if (len < 0) this.anomaly('link_bad_header', 'link', `radiotap version ${b[off]!}, length ${end - off >= 4 ? u16le(b, off + 2) : 0}`);
        else {
          const flags = radiotapFlags(b, off, len);
          if (flags & RADIOTAP_F_BADFCS) return true; // corrupted on the air: the sender retransmits it
          let e = end;
          if (flags & RADIOTAP_F_FCS) e -= this.fcsCaptured();
          if (e < off + len) e = off + len;
          this.wlan(b, off + len, e, (flags & RADIOTAP_F_DATAPAD) !== 0);
        }
        return true;
      }
      case LINKTYPE_IEEE802_11_PRISM:
      case LINKTYPE_IEEE802_11_AVS: {
        const len = lt === LINKTYPE_IEEE802_11_AVS ? avsHeaderLen(b, off, end) : prismHeaderLen(b, off, end);
        const name = lt === LINKTYPE_IEEE802_11_AVS ? 'AVS' : 'Prism';
        if (len === -1) this.anomaly('link_truncated', 'link', `${name} header`);
        else if (len < 0) this.anomaly('link_bad_header', 'link', `${name} header`);
        else this.wlan(b, off + len, end, false);
        return true;
      }
      case LINKTYPE_PPI: {
        if (inner) return false;
        const len = ppiHeaderLen(b, off, end);
        if (len === -1) this.anomaly('link_truncated', 'link', 'PPI header');
        else if (len < 0) this.anomaly('link_bad_header', 'link', `PPI version ${b[off]!}`);
        else {
          const dlt = ppiLinkType(b, off);
          if (!this.link(dlt, b, off + len, end, true)) {
            this.innerLinkType = dlt;
            return false;
          }
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** FCS bytes present at the end of the captured frame (4 unless the snaplen cut into them). */
  private fcsCaptured(): number {
    const p = this.pkt!;
    const lost = p.origLen - p.capLen;
    return lost <= 0 ? 4 : lost >= 4 ? 0 : 4 - lost;
  }

  /** IP after a header naming its version (pflog, enc, IPNET): 4, 6, or 0 for another family. */
  private familyIp(v: number, b: Uint8Array, off: number, end: number, name: string, family: number): void {
    if (v === 4) this.ipv4(b, off, end);
    else if (v === 6) this.ipv6(b, off, end);
    else this.anomaly('unknown_link_family', 'link', `${name} family ${family}`);
  }

  /** Cisco HDLC (RFC 1547 section 4.3.1): address, control, EtherType. */
  private chdlc(b: Uint8Array, off: number, end: number): void {
    const proto = chdlcProtocol(b, off, end);
    if (proto < 0) this.anomaly('link_truncated', 'link', 'Cisco HDLC header');
    else this.etherType(proto, b, off + CHDLC_HEADER_LEN, end);
  }

  /** PPPoE session header (RFC 2516), then PPP. */
  private pppoe(b: Uint8Array, off: number, end: number): void {
    const pend = pppoePayloadEnd(b, off, end);
    if (pend < 0) this.anomaly('pppoe_truncated', 'link');
    else this.pppPayload(b, off + PPPOE_HEADER_LEN, pend, false);
  }

  /** Linux NFLOG: the NFULA_PAYLOAD TLV holds the packet. */
  private nflogFrame(b: Uint8Array, off: number, end: number): void {
    const h = this.nflog;
    const st = nflogPayload(b, off, end, h);
    if (st === 'ok') {
      const fam = b[off]!;
      if (fam === NFLOG_AF_INET) this.ipv4(b, h.start, h.end);
      else if (fam === NFLOG_AF_INET6) this.ipv6(b, h.start, h.end);
      else if (h.start < h.end) {
        // bridge or unspecified family: IP when the version nibble says so (ARP... is not)
        const v = b[h.start]! >> 4;
        if (v === 4) this.ipv4(b, h.start, h.end);
        else if (v === 6) this.ipv6(b, h.start, h.end);
      }
    } else if (st === 'truncated') this.anomaly('link_truncated', 'link', 'NFLOG header or TLV');
    else if (st === 'bad_version') this.anomaly('link_bad_header', 'link', `NFLOG version ${b[off + 1]!}`);
    else if (st === 'bad_tlv') this.anomaly('link_bad_header', 'link', 'NFLOG TLV length below 4');
    // 'none': logged without the packet
  }

  /** 802.11 frame at `off`: unprotected data frames, LLC/SNAP or A-MSDU. */
  private wlan(b: Uint8Array, off: number, end: number, dataPad: boolean): void {
    const h = this.wlanData;
    const st = parseWlanData(b, off, end, dataPad, h);
    if (st === 'truncated') {
      this.anomaly('link_truncated', 'link', '802.11 header');
      return;
    }
    if (st === 'protected') {
      const ifc = this.pkt!.interfaceId;
      if (!this.reportedProtected.has(ifc)) {
        this.reportedProtected.add(ifc);
        this.anomaly('wlan_protected', 'link', `interface ${ifc}`);
      }
      return;
    }
    if (st !== 'ok') return; // management, control, null data: not IP
    if (!h.amsdu) {
      this.llc(b, h.body, end);
      return;
    }
    const start = h.body;
    let p = start;
    // each subframe is its own packet: what one subframe's tunnels and tags set must not reach the next
    const vlans0 = this.vlans.length;
    const depth0 = this.depth;
    const tunnel0 = this.tunnel;
    for (;;) {
      const len = amsduSubframeLen(b, p, end);
      if (len < 0) return;
      const msdu = p + AMSDU_SUBHEADER_LEN;
      this.vlans.length = vlans0;
      this.depth = depth0;
      this.tunnel = tunnel0;
      this.llc(b, msdu, msdu + len < end ? msdu + len : end);
      p = start + ((msdu + len - start + 3) & ~3);
    }
  }

  /** An 802.2 LLC header: only SNAP (RFC 1042, 802.1H) carries an EtherType. */
  private llc(b: Uint8Array, off: number, end: number): void {
    const t = snapEtherType(b, off, end);
    if (t > 1500) this.etherType(t, b, off + 8, end);
  }

  private ethernet(b: Uint8Array, off: number, end: number): void {
    if (end - off < ETH_HEADER_LEN) {
      this.anomaly('link_truncated', 'link', 'Ethernet header');
      return;
    }
    this.etherType(u16(b, off + 12), b, off + ETH_HEADER_LEN, end);
  }

  /** Dispatches on an EtherType (after Ethernet, SLL, GRE...), unwinding VLAN tags. */
  private etherType(type: number, b: Uint8Array, off: number, end: number): void {
    while (isVlanTpid(type)) {
      if (end - off < 4) {
        this.anomaly('vlan_truncated', 'link');
        return;
      }
      this.vlans.push(u16(b, off) & 0x0fff);
      type = u16(b, off + 2);
      off += 4;
    }
    if (type <= 1500) {
      // IEEE 802.3 length field: only LLC/SNAP carries an EtherType
      const t = snapEtherType(b, off, end);
      if (t < 0 || t <= 1500) return;
      this.etherType(t, b, off + 8, end);
      return;
    }
    switch (type) {
      case ETH_IPV4:
        this.ipv4(b, off, end);
        return;
      case ETH_IPV6:
        this.ipv6(b, off, end);
        return;
      case ETH_MPLS:
      case ETH_MPLS_MC: {
        const p = mplsSkipLabels(b, off, end);
        if (p < 0) this.anomaly('mpls_truncated', 'link');
        else if (p < end) {
          const v = b[p]! >> 4;
          if (v === 4) this.ipv4(b, p, end);
          else if (v === 6) this.ipv6(b, p, end);
        }
        return;
      }
      case ETH_PPPOE_SESSION:
        this.pppoe(b, off, end);
        return;
      default:
        return; // ARP, LLDP, ...: not IP
    }
  }

  /** PPP (RFC 1661); `linkLayer`: the frame's own link header (a cut one is link_truncated, else pppoe_truncated). */
  private pppPayload(b: Uint8Array, off: number, end: number, linkLayer: boolean): void {
    const h = this.ppp;
    if (!pppHeader(b, off, end, h)) {
      if (linkLayer) this.anomaly('link_truncated', 'link', 'PPP header');
      else this.anomaly('pppoe_truncated', 'link', 'PPP protocol field');
      return;
    }
    if (h.proto === PPP_IPV4) this.ipv4(b, h.next, end);
    else if (h.proto === PPP_IPV6) this.ipv6(b, h.next, end);
  }

  /** Raw IP: the version nibble says which. */
  private rawIp(b: Uint8Array, off: number, end: number): void {
    if (off >= end) {
      this.anomaly('ip_truncated', 'ip', 'empty raw IP frame');
      return;
    }
    const v = b[off]! >> 4;
    if (v === 4) this.ipv4(b, off, end);
    else if (v === 6) this.ipv6(b, off, end);
    else this.anomaly('ip_bad_version', 'ip', `version ${v}`);
  }

  // ---------------------------------------------------------------- IP

  /** IPv4 (RFC 791) at `off`; `end` is the end of the captured bytes available to it. */
  private ipv4(b: Uint8Array, off: number, end: number): void {
    const h = this.ip4;
    const status = parseIpv4(b, off, end, h);
    if (status !== 'ok') {
      if (status === 'truncated') this.anomaly('ip_truncated', 'ip', 'IPv4 header');
      else if (status === 'bad_version') this.anomaly('ip_bad_version', 'ip', `IPv4 version ${b[off]! >> 4}`);
      else this.anomaly('ipv4_bad_header_length', 'ip', `IHL ${h.headerLen}`);
      return;
    }
    const avail = end - off;
    let total = h.totalLen;
    if (total === 0) {
      this.anomaly('ipv4_total_length_zero', 'ip');
      total = avail;
    }
    if (total < h.headerLen) {
      this.anomaly('ipv4_bad_header_length', 'ip', `total length ${total} < header ${h.headerLen}`);
      return;
    }
    let ipEnd: number;
    let missing = 0;
    if (total <= avail) ipEnd = off + total; // anything after is link padding
    else {
      ipEnd = end;
      missing = total - avail;
      if (!this.truncatedFrame) this.anomaly('ip_length_exceeds_frame', 'ip', `IPv4 total length ${total}, ${avail} bytes present`);
    }
    const payOff = off + h.headerLen;
    const proto = h.proto;
    if (h.moreFragments || h.fragOffset !== 0) {
      this.stats.fragments++;
      this.sawFragment = true;
      const src = this.v4text.get(b, off + 12);
      const dst = this.v4text.get(b, off + 16);
      const key = `${src}>${dst}#${h.id}/${proto}`;
      const r = this.frags.add(key, this.tsFloat, { src, dst, ipVersion: 4 }, proto, h.fragOffset, b.subarray(payOff, ipEnd), total - h.headerLen, h.moreFragments, this.fragAnomaly);
      if (r) this.reassembled(r);
      return;
    }
    this.setAddrs(4, b, off + 12, off + 16);
    this.ipPayload(proto, b, payOff, ipEnd, missing);
  }

  /** IPv6 (RFC 8200) at `off`. */
  private ipv6(b: Uint8Array, off: number, end: number): void {
    const avail = end - off;
    if (avail < IPV6_HEADER_LEN) {
      this.anomaly('ip_truncated', 'ip', 'IPv6 header');
      return;
    }
    if (b[off]! >> 4 !== 6) {
      this.anomaly('ip_bad_version', 'ip', `IPv6 version ${b[off]! >> 4}`);
      return;
    }
    let plen = u16(b, off + 4);
    const nh = b[off + 6]!;
    const payOff = off + IPV6_HEADER_LEN;
    const payAvail = end - payOff;
    if (plen === 0 && nh !== NH_NONE) {
      // jumbogram (RFC 2675) or segmentation offload: use what is there
      if (nh !== 0) this.anomaly('ipv6_payload_length_zero', 'ip');
      plen = payAvail;
    }
    let ipEnd: number;
    let missing = 0;
    if (plen <= payAvail) ipEnd = payOff + plen;
    else {
      ipEnd = end;
      missing = plen - payAvail;
      if (!this.truncatedFrame) this.anomaly('ip_length_exceeds_frame', 'ip', `IPv6 payload length ${plen}, ${payAvail} bytes present`);
    }
    this.setAddrs(6, b, off + 8, off + 24);
    this.ipv6Chain(nh, b, payOff, ipEnd, missing, false);
  }

  /** Walks IPv6 extension headers from `nh` at `off`, then the upper layer. */
  private ipv6Chain(nh: number, b: Uint8Array, off: number, end: number, missing: number, reassembled: boolean): void {
    for (;;) {
      if (isGenericExtHeader(nh) || nh === NH_AH) {
        const len = extHeaderLen(nh, b, off, end);
        if (len < 0) {
          this.anomaly('ipv6_ext_truncated', 'ip', `extension header ${nh}`);
          return;
        }
        nh = b[off]!;
        off += len;
        continue;
      }
      if (nh === NH_FRAGMENT) {
        const f = this.frag6;
        if (!parseIpv6Fragment(b, off, end, f)) {
          this.anomaly('ipv6_ext_truncated', 'ip', 'fragment header');
          return;
        }
        off += IPV6_FRAG_HEADER_LEN;
        if (f.offset === 0 && !f.more) {
          nh = f.next; // atomic fragment (RFC 6946)
          continue;
        }
        this.stats.fragments++;
        this.sawFragment = true;
        if (reassembled) {
          this.anomaly('ipv6_nested_fragment', 'ip');
          return;
        }
        const src = this.src();
        const dst = this.dst();
        const key = `${src}>${dst}#${f.id}`;
        const r = this.frags.add(key, this.tsFloat, { src, dst, ipVersion: 6 }, f.next, f.offset, b.subarray(off, end), end - off + missing, f.more, this.fragAnomaly);
        if (r) this.reassembled(r);
        return;
      }
      if (nh === NH_NONE || nh === NH_ESP) return;
      this.ipPayload(nh, b, off, end, missing);
      return;
    }
  }

  private reassembled(r: Reassembled): void {
    this.stats.reassembledDatagrams++;
    this.ipVersion = r.ipVersion;
    this.srcText = r.src;
    this.dstText = r.dst;
    if (r.ipVersion === 4) {
      const s4 = parseIpv4Text(r.src);
      const d4 = parseIpv4Text(r.dst);
      this.src4 = s4 >= 0 && d4 >= 0 ? s4 : undefined;
      this.dst4 = s4 >= 0 && d4 >= 0 ? d4 : undefined;
    } else {
      this.src4 = undefined;
      this.dst4 = undefined;
    }
    const end = r.data.length;
    if (r.ipVersion === 6) this.ipv6Chain(r.proto, r.data, 0, end, r.missing, true);
    else this.ipPayload(r.proto, r.data, 0, end, r.missing);
  }

  /** The upper layer of an IP packet: `proto` at `off`, `missing` bytes lacking after `end`. */
  private ipPayload(proto: number, b: Uint8Array, off: number, end: number, missing: number): void {
    switch (proto) {
      case IPPROTO_TCP:
        this.tcp(b, off, end, missing);
        return;
      case IPPROTO_UDP:
        this.udp(b, off, end, missing);
        return;
      case IPPROTO_GRE:
        this.greLayer(b, off, end);
        return;
      case IPPROTO_IPIP:
        if (this.enter('ipip')) this.ipv4(b, off, end);
        return;
      case IPPROTO_IPV6:
        if (this.enter('ipip')) this.ipv6(b, off, end);
        return;
      default:
        return; // ICMP (errors quote headers: never a conversation), SCTP, ...
    }
  }

  // ---------------------------------------------------------------- transport

  private fill(proto: 6 | 17, payload: Uint8Array, missing: number): Segment {
    const s = this.seg;
    const p = this.pkt!;
    s.packetIndex = p.index;
    s.tsSec = p.tsSec;
    s.tsNsec = p.tsNsec;
    s.proto = proto;
    s.ipVersion = this.ipVersion;
    s.srcAddr4 = this.src4;
    s.dstAddr4 = this.dst4;
    s.payload = payload;
    s.missing = missing;
    s.tunnel = this.tunnel;
    s.depth = this.depth;
    s.vlans = this.vlans;
    return s;
  }

  /** TCP (RFC 9293). */
  private tcp(b: Uint8Array, off: number, end: number, missing: number): void {
    const avail = end - off;
    if (avail < TCP_MIN_HEADER) {
      this.anomaly('tcp_truncated', 'tcp', `${avail} header bytes`);
      return;
    }
    const hl = (b[off + 12]! >> 4) * 4;
    const claimed = avail + missing;
    if (hl < TCP_MIN_HEADER || hl > claimed) {
      this.anomaly('tcp_bad_data_offset', 'tcp', `data offset ${hl}, segment ${claimed}`);
      return;
    }
    const flags = b[off + 13]!;
    let payload: Uint8Array;
    let segMissing: number;
    let opts: TcpOptions | undefined;
    if (hl > avail) {
      this.anomaly('tcp_header_truncated', 'tcp');
      payload = EMPTY;
      segMissing = claimed - hl;
    } else {
      payload = view(b, off + hl, end);
      segMissing = missing;
      if (flags & TCP_SYN && hl > TCP_MIN_HEADER) {
        opts = {};
        if (!parseTcpOptions(b, off + TCP_MIN_HEADER, off + hl, opts)) this.anomaly('tcp_bad_option', 'tcp');
      }
    }
    const s = this.fill(6, payload, segMissing);
    s.srcPort = u16(b, off);
    s.dstPort = u16(b, off + 2);
    s.seq = u32(b, off + 4);
    s.ack = u32(b, off + 8);
    s.flags = flags;
    s.window = u16(b, off + 14);
    s.tcpOptions = opts;
    this.emitted++;
    this.sink.segment(s);
  }

  /** UDP (RFC 768), then VXLAN / VXLAN-GPE / Geneve by port. */
  private udp(b: Uint8Array, off: number, end: number, missing: number): void {
    const avail = end - off;
    if (avail < UDP_HEADER_LEN) {
      this.anomaly('udp_truncated', 'udp', `${avail} header bytes`);
      return;
    }
    const claimed = avail + missing;
    let ulen = u16(b, off + 4);
    if (ulen === 0 && this.ipVersion === 6) ulen = claimed; // jumbogram (RFC 2675)
    if (ulen < UDP_HEADER_LEN) {
      this.anomaly('udp_bad_length', 'udp', `length ${ulen}`);
      return;
    }
    if (ulen > claimed) {
      this.anomaly('udp_length_exceeds_ip', 'udp', `length ${ulen}, IP payload ${claimed}`);
      ulen = claimed;
    }
    let payEnd = off + ulen;
    let segMissing = 0;
    if (payEnd > end) {
      segMissing = payEnd - end;
      payEnd = end;
    }
    const sp = u16(b, off);
    const dp = u16(b, off + 2);
    const payOff = off + UDP_HEADER_LEN;
    const s = this.fill(17, view(b, payOff, payEnd), segMissing);
    s.srcPort = sp;
    s.dstPort = dp;
    s.seq = 0;
    s.ack = 0;
    s.flags = 0;
    s.window = 0;
    s.tcpOptions = undefined;
    this.emitted++;
    this.sink.segment(s);
    // UDP tunnels, lower port first (as Wireshark tries them)
    const lo = sp < dp ? sp : dp;
    const hi = sp < dp ? dp : sp;
    const port = isTunnelPort(lo) ? lo : isTunnelPort(hi) ? hi : 0;
    if (port === 0) return;
    if (port === PORT_GENEVE) this.genevePayload(b, payOff, payEnd);
    else this.vxlanPayload(b, payOff, payEnd, port === PORT_VXLAN_GPE);
  }

  // ---------------------------------------------------------------- tunnels

  /** VXLAN (RFC 7348) or VXLAN-GPE. */
  private vxlanPayload(b: Uint8Array, off: number, end: number, gpe: boolean): void {
    if (end - off < VXLAN_HEADER_LEN) {
      this.anomaly('vxlan_truncated', 'udp');
      return;
    }
    const flags = b[off]!;
    if (!gpe && (flags & VXLAN_FLAG_I) === 0) this.anomaly('vxlan_bad_flags', 'udp', `flags 0x${flags.toString(16)}`);
    if (!this.enter('vxlan')) return;
    const inner = off + VXLAN_HEADER_LEN;
    if (!gpe) {
      this.ethernet(b, inner, end);
      return;
    }
    const np = b[off + 3]!;
    if (np === GPE_IPV4) this.ipv4(b, inner, end);
    else if (np === GPE_IPV6) this.ipv6(b, inner, end);
    else if (np === GPE_ETHERNET) this.ethernet(b, inner, end);
  }

  /** Geneve (RFC 8926). */
  private genevePayload(b: Uint8Array, off: number, end: number): void {
    const h = this.geneve;
    if (!parseGeneve(b, off, end, h)) {
      this.anomaly('geneve_truncated', 'udp');
      return;
    }
    if (h.version !== 0) {
      this.anomaly('geneve_bad_version', 'udp', `version ${h.version}`);
      return;
    }
    if (!this.enter('geneve')) return;
    if (h.proto === ETH_TEB) this.ethernet(b, h.next, end);
    else this.etherType(h.proto, b, h.next, end);
  }

  /** GRE (RFC 2784/2890), ERSPAN, PPTP. */
  private greLayer(b: Uint8Array, off: number, end: number): void {
    const h = this.gre;
    const st = parseGre(b, off, end, h);
    if (st !== 'ok') {
      if (st === 'truncated') this.anomaly('gre_truncated', 'ip');
      else this.anomaly('gre_unsupported_version', 'ip', `version ${h.version}`);
      return;
    }
    const p = h.next;
    switch (h.proto) {
      case ETH_TEB:
        if (this.enter('gre')) this.ethernet(b, p, end);
        return;
      case GRE_ERSPAN_II: {
        if (!this.enter('erspan')) return;
        if ((h.flags & GRE_S) === 0) {
          this.ethernet(b, p, end); // ERSPAN type I: no header
          return;
        }
        const e = this.erspan;
        if (!parseErspan(b, p, end, false, e)) {
          this.anomaly('erspan_truncated', 'ip');
          return;
        }
        if (e.version !== 1) this.anomaly('erspan_bad_version', 'ip', `version ${e.version} in type II`);
        this.ethernet(b, e.next, end);
        return;
      }
      case GRE_ERSPAN_III: {
        if (!this.enter('erspan')) return;
        const e = this.erspan;
        if (!parseErspan(b, p, end, true, e)) {
          this.anomaly('erspan_truncated', 'ip');
          return;
        }
        if (e.version !== 2) this.anomaly('erspan_bad_version', 'ip', `version ${e.version} in type III`);
        if (e.frameType === 0) this.ethernet(b, e.next, end);
        else if (e.frameType === 2) this.rawIp(b, e.next, end);
        return;
      }
      case GRE_PPP:
        if (this.enter('gre')) this.pppPayload(b, p, end, false);
        return;
      default:
        if (this.enter('gre')) this.etherType(h.proto, b, p, end);
        return;
    }
  }
}

const EMPTY = new Uint8Array(0);

/**
 * The decoder's one reused Segment. `srcIp` / `dstIp` are own enumerable
 * accessors that format the address text on first read (so `{ ...seg }`
 * copies the text); defined in the constructor so the object keeps fast
 * properties.
 */
class LazySegment implements Segment {
  packetIndex = 0;
  tsSec = 0;
  tsNsec = 0;
  proto: 6 | 17 = 6;
  ipVersion: 4 | 6 = 4;
  declare srcIp: string;
  declare dstIp: string;
  srcAddr4: number | undefined = undefined;
  dstAddr4: number | undefined = undefined;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  tcpOptions: TcpOptions | undefined = undefined;
  payload: Uint8Array = EMPTY;
  missing = 0;
  tunnel: string | undefined = undefined;
  depth = 0;
  vlans: number[];

  constructor(dec: Decoder, vlans: number[]) {
    this.vlans = vlans;
    Object.defineProperty(this, 'srcIp', {
      get: (): string => dec.src(),
      set: (v: string): void => {
        dec.srcText = v;
      },
      enumerable: true,
      configurable: true,
    });
    Object.defineProperty(this, 'dstIp', {
      get: (): string => dec.dst(),
      set: (v: string): void => {
        dec.dstText = v;
      },
      enumerable: true,
      configurable: true,
    });
  }
}

/** b[from, to) as a plain Uint8Array view (cheaper than Buffer#subarray); the shared EMPTY when empty. */
function view(b: Uint8Array, from: number, to: number): Uint8Array {
  return to > from ? new Uint8Array(b.buffer, b.byteOffset + from, to - from) : EMPTY;
}

function isTunnelPort(p: number): boolean {
  return p === PORT_VXLAN || p === PORT_GENEVE || p === PORT_VXLAN_GPE;
}
