/**
 * Linux netfilter NFLOG, LINKTYPE_NFLOG (239), as described at
 * https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html: a 4-byte header
 * (address family: 2 IPv4, 10 IPv6; version 0; resource id, big-endian),
 * then TLVs to the end of the frame. Each TLV is a 2-byte length (including
 * its 4-byte header), a 2-byte type (linux/netfilter/nfnetlink_log.h
 * `NFULA_*`, top two bits netlink flags) and the value, padded to a 4-byte
 * boundary (netlink NLA_ALIGN). NFULA_PAYLOAD (9) holds the packet from its
 * network header on.
 *
 * Length and type are in the byte order of the host that wrote the file,
 * which the decoder does not see: as Wireshark does, the order in which the
 * TLV types read as small numbers wins (little-endian when neither does).
 */
import { u16, u16le } from './bytes.js';

export const NFLOG_HEADER_LEN = 4;
export const NFLOG_TLV_HEADER_LEN = 4;
export const NFULA_PAYLOAD = 9;
/** Address family values (Linux AF_INET, AF_INET6). */
export const NFLOG_AF_INET = 2;
export const NFLOG_AF_INET6 = 10;
/** NLA_TYPE_MASK: clears NLA_F_NESTED and NLA_F_NET_BYTEORDER. */
const NLA_TYPE_MASK = 0x3fff;

/** Where the NFULA_PAYLOAD value is (a reusable scratch object). */
export interface NflogPayload {
  start: number;
  end: number;
}

/**
 * 'ok': payload found; 'none': no payload TLV (metadata-only logging);
 * 'truncated': the header or a TLV before the payload runs past `end`;
 * 'bad_version': version is not 0; 'bad_tlv': a TLV length below 4.
 */
export type NflogStatus = 'ok' | 'none' | 'truncated' | 'bad_version' | 'bad_tlv';

/** Whether the TLVs from `off` read consistently in this byte order (the first TLV with a non-zero type has a type below 256). */
function plausibleOrder(b: Uint8Array, off: number, end: number, le: boolean): boolean {
  while (end - off >= NFLOG_TLV_HEADER_LEN) {
    const len = le ? u16le(b, off) : u16(b, off);
    if (len < NFLOG_TLV_HEADER_LEN) return false;
    const type = (le ? u16le(b, off + 2) : u16(b, off + 2)) & NLA_TYPE_MASK;
    if (type >= 0x100) return false;
    if (type !== 0) return true;
    off += (len + 3) & ~3;
  }
  return false;
}

/** True when the TLVs starting at `off` are little-endian. */
export function nflogLittleEndian(b: Uint8Array, off: number, end: number): boolean {
  return !plausibleOrder(b, off, end, false);
}

/** Finds the NFULA_PAYLOAD TLV of an NFLOG frame at `off` and stores its value's bounds in `out`. */
export function nflogPayload(b: Uint8Array, off: number, end: number, out: NflogPayload): NflogStatus {
  if (end - off < NFLOG_HEADER_LEN) return 'truncated';
  if (b[off + 1] !== 0) return 'bad_version';
  let p = off + NFLOG_HEADER_LEN;
  const le = nflogLittleEndian(b, p, end);
  while (end - p >= NFLOG_TLV_HEADER_LEN) {
    const len = le ? u16le(b, p) : u16(b, p);
    if (len < NFLOG_TLV_HEADER_LEN) return 'bad_tlv';
    const type = (le ? u16le(b, p + 2) : u16(b, p + 2)) & NLA_TYPE_MASK;
    if (type === NFULA_PAYLOAD) {
      // a payload cut by the snaplen runs past the captured bytes: the IP layer sees what is there
      out.start = p + NFLOG_TLV_HEADER_LEN;
      out.end = p + len < end ? p + len : end;
      return 'ok';
    }
    if (len > end - p) return 'truncated';
    p += (len + 3) & ~3;
  }
  return p < end ? 'truncated' : 'none';
}
