/**
 * IEEE 802.11 data frames (LINKTYPE_IEEE802_11 105, and after a radiotap,
 * Prism, AVS or PPI header), IEEE Std 802.11-2020: Frame Control
 * (9.2.4.1: protocol version bits 0-1, type bits 2-3, subtype bits 4-7; flags
 * To DS 0x01, From DS 0x02, Protected Frame 0x40, +HTC/Order 0x80), duration,
 * three addresses, sequence control (24 bytes); Address 4 when To DS and From
 * DS are both set; QoS Control (2 bytes) in QoS subtypes (subtype bit 3);
 * HT Control (4 bytes) in QoS frames with the Order bit (9.2.4.1.10). Subtypes
 * with bit 2 set (Null, CF-Ack/Poll without data, QoS Null) have no body. The
 * body of an unprotected frame is an LLC/SNAP header (RFC 1042) or, when the
 * QoS Control A-MSDU Present bit is set, A-MSDU subframes (9.3.2.2: DA, SA,
 * big-endian length, MSDU, padding to 4 bytes).
 */
import { u16 } from './bytes.js';

export const WLAN_HEADER_LEN = 24;
export const WLAN_TYPE_DATA = 2;
export const WLAN_FC_TODS = 0x01;
export const WLAN_FC_FROMDS = 0x02;
export const WLAN_FC_PROTECTED = 0x40;
export const WLAN_FC_ORDER = 0x80;
/** A-MSDU Present, bit 7 of the QoS Control field. */
export const WLAN_QOS_AMSDU = 0x80;
export const AMSDU_SUBHEADER_LEN = 14;

/** A data frame's body (a reusable scratch object). */
export interface WlanData {
  /** Offset of the frame body. */
  body: number;
  /** The body is a sequence of A-MSDU subframes. */
  amsdu: boolean;
}

/**
 * 'ok': an unprotected data frame with a body; 'not_data': management,
 * control, extension, another protocol version or a data subtype without
 * body; 'protected': the body is encrypted; 'truncated': the MAC header is
 * cut short.
 */
export type WlanStatus = 'ok' | 'not_data' | 'protected' | 'truncated';

/** Parses an 802.11 MAC header at `off`; `dataPad`: the header is padded to 4 bytes (radiotap DATAPAD flag). */
export function parseWlanData(b: Uint8Array, off: number, end: number, dataPad: boolean, out: WlanData): WlanStatus {
  if (end - off < 2) return 'truncated';
  const fc0 = b[off]!;
  const fc1 = b[off + 1]!;
  if ((fc0 & 3) !== 0 || ((fc0 >> 2) & 3) !== WLAN_TYPE_DATA) return 'not_data';
  const subtype = fc0 >> 4;
  if (subtype & 4) return 'not_data';
  let len = WLAN_HEADER_LEN;
  if ((fc1 & (WLAN_FC_TODS | WLAN_FC_FROMDS)) === (WLAN_FC_TODS | WLAN_FC_FROMDS)) len += 6;
  const qos = (subtype & 8) !== 0;
  const qosOff = off + len;
  if (qos) {
    len += 2;
    if (fc1 & WLAN_FC_ORDER) len += 4;
  }
  if (dataPad) len = (len + 3) & ~3;
  if (end - off < len) return 'truncated';
  if (fc1 & WLAN_FC_PROTECTED) return 'protected';
  out.body = off + len;
  out.amsdu = qos && (b[qosOff]! & WLAN_QOS_AMSDU) !== 0;
  return 'ok';
}

/** MSDU length of the A-MSDU subframe at `off`, -1 when its 14-byte header is cut short. */
export function amsduSubframeLen(b: Uint8Array, off: number, end: number): number {
  return end - off < AMSDU_SUBHEADER_LEN ? -1 : u16(b, off + 12);
}
