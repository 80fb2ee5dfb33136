import type { Anomaly } from '../core/types.js';

/** TCP flag bits (RFC 9293 section 3.1). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export interface TcpOptions {
  mss?: number;
  wscale?: number;
  sackPermitted?: boolean;
  /** TSval / TSecr */
  tsVal?: number;
  tsEcr?: number;
}

/**
 * One transport-layer unit decoded from a packet (after link, IP, tunnels and
 * IP fragment reassembly): a TCP segment or a UDP datagram.
 *
 * The decoder may reuse one Segment object for every packet: consumers must
 * read it during the callback and copy what they keep.
 */
export interface Segment {
  packetIndex: number;
  tsSec: number;
  tsNsec: number;
  /** 6 = TCP, 17 = UDP */
  proto: 6 | 17;
  ipVersion: 4 | 6;
  srcIp: string;
  dstIp: string;
  /**
   * IPv4 only, optional: the source and destination addresses as unsigned
   * 32-bit numbers (a.b.c.d = a * 2^24 + b * 2^16 + c * 2^8 + d), so flow
   * tables can key on numbers without formatting text. The decoder sets both
   * on every IPv4 segment (and reads `srcIp` / `dstIp` text lazily).
   */
  srcAddr4?: number | undefined;
  dstAddr4?: number | undefined;
  srcPort: number;
  dstPort: number;
  /** TCP only (0 for UDP) */
  seq: number;
  ack: number;
  flags: number;
  window: number;
  tcpOptions: TcpOptions | undefined;
  /** The transport payload present in the capture (a view into the packet). */
  payload: Uint8Array;
  /**
   * Bytes of payload the headers say exist but the capture does not hold
   * (snaplen truncation). 0 when complete.
   */
  missing: number;
  /** Outermost tunnel this was found in ('gre', 'erspan', 'vxlan', 'geneve'), if any. */
  tunnel: string | undefined;
  /** Encapsulation depth: 0 = not tunneled. Inner segments from the same frame share packetIndex. */
  depth: number;
  /** VLAN ids seen on the way in (outermost first); empty when none. */
  vlans: number[];
}

/** Where the decoder sends what it found. */
export interface DecodeSink {
  segment(seg: Segment): void;
  anomaly(a: Anomaly): void;
}

export interface DecoderStats {
  packets: number;
  decoded: number;
  /** Frames whose link type is not supported. */
  unsupportedLink: number;
  /** Frames that carried neither TCP nor UDP (ARP, ICMP, ...). */
  other: number;
  fragments: number;
  reassembledDatagrams: number;
}
