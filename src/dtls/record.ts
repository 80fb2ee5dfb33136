/**
 * DTLS record layer (RFC 6347 4.1, RFC 9147 4): the 13-byte DTLSPlaintext /
 * DTLS 1.2 DTLSCiphertext header (type, version, epoch, 48-bit sequence
 * number, length), the RFC 9146 tls12_cid record (type 25, connection id
 * after the sequence number) and the DTLS 1.3 unified header (first byte
 * 0b001CSLEE). Several records may share a datagram. Never throws.
 */
export const DTLS_1_0 = 0xfeff;
export const DTLS_1_2 = 0xfefd;
export const DTLS_1_3 = 0xfefc;
export const CT_TLS12_CID = 25;
export const CT_ACK = 26;

export function isDtlsVersion(v: number): boolean {
  return v === DTLS_1_0 || v === DTLS_1_2 || v === DTLS_1_3 || v === 0x0100; // 0x0100: OpenSSL's pre-RFC DTLS 1.0
}

export interface DtlsRecord {
  /** Content type; for a unified-header record the (encrypted) real type is unknown: 23 is given. */
  contentType: number;
  version: number;
  epoch: number;
  /** Low 32 bits of the sequence number are enough for ordering here. */
  seq: number;
  /** True for a DTLS 1.3 unified-header (always encrypted) record. */
  unified: boolean;
  /** Record header size, for byte counts. */
  headerLength: number;
  fragment: Uint8Array;
}

/**
 * Split a datagram into records. `cidLength` is the length of the connection
 * id this direction's records carry (RFC 9146 / RFC 9147 9), when negotiated;
 * when unknown, a tls12_cid record is only taken when exactly one length makes
 * it end at the end of the datagram, and a unified header with a CID is taken
 * to run to the end of the datagram. Stops at the first record that does not
 * fit: what came before is returned, `trailing` counts the bytes left.
 */
export function parseRecords(d: Uint8Array, cidLength?: number): { records: DtlsRecord[]; trailing: number } {
  const records: DtlsRecord[] = [];
  let p = 0;
  const n = d.length;
  while (p < n && records.length < 256) {
    const b0 = d[p]!;
    if ((b0 & 0xe0) === 0x20) {
      // RFC 9147 4: 0 0 1 C S L E E
      let q = p + 1;
      const hasCid = (b0 & 0x10) !== 0;
      if (hasCid) {
        if (cidLength === undefined) {
          records.push({ contentType: 23, version: DTLS_1_3, epoch: b0 & 3, seq: 0, unified: true, headerLength: 1, fragment: d.subarray(q) });
          return { records, trailing: 0 };
        }
        q += cidLength;
      }
      const seqLen = (b0 & 0x08) !== 0 ? 2 : 1;
      if (q + seqLen > n) break;
      let seq = d[q]!;
      if (seqLen === 2) seq = (seq << 8) | d[q + 1]!;
      q += seqLen;
      let end = n;
      if ((b0 & 0x04) !== 0) {
        if (q + 2 > n) break;
        const len = (d[q]! << 8) | d[q + 1]!;
        q += 2;
        end = q + len;
        if (end > n) break;
      }
      records.push({ contentType: 23, version: DTLS_1_3, epoch: b0 & 3, seq, unified: true, headerLength: q - p, fragment: d.subarray(q, end) });
      p = end;
      continue;
    }
    if (p + 13 > n) break;
    const type = b0;
    if (type < 20 || type > 26) break;
    const version = (d[p + 1]! << 8) | d[p + 2]!;
    if (!isDtlsVersion(version)) break;
    const epoch = (d[p + 3]! << 8) | d[p + 4]!;
    const seq = ((d[p + 7]! << 24) >>> 0) + (d[p + 8]! << 16) + (d[p + 9]! << 8) + d[p + 10]!;
    let cid = 0;
    if (type === CT_TLS12_CID) {
      if (cidLength !== undefined) cid = cidLength;
      else {
        let found = -1;
        for (let c = 0; c <= 20 && p + 13 + c <= n; c++) {
          const len = (d[p + 11 + c]! << 8) | d[p + 12 + c]!;
          if (p + 13 + c + len === n) {
            if (found >= 0) { found = -2; break; }
            found = c;
          }
        }
        if (found < 0) break;
        cid = found;
      }
      if (p + 13 + cid > n) break;
    }
    const len = (d[p + 11 + cid]! << 8) | d[p + 12 + cid]!;
    const start = p + 13 + cid;
    if (start + len > n) break;
    records.push({ contentType: type, version, epoch, seq, unified: false, headerLength: 13 + cid, fragment: d.subarray(start, start + len) });
    p = start + len;
  }
  return { records, trailing: n - p };
}

/** One handshake fragment (RFC 6347 4.2.2): 12-byte header then the fragment bytes. */
export interface HandshakeFragment {
  msgType: number;
  length: number;
  messageSeq: number;
  offset: number;
  data: Uint8Array;
}

/** The handshake fragments of a plaintext handshake record; `malformed` when bytes were left that do not form one. */
export function parseHandshakeFragments(f: Uint8Array): { fragments: HandshakeFragment[]; malformed: boolean } {
  const out: HandshakeFragment[] = [];
  let p = 0;
  while (p + 12 <= f.length) {
    const msgType = f[p]!;
    const length = (f[p + 1]! << 16) | (f[p + 2]! << 8) | f[p + 3]!;
    const messageSeq = (f[p + 4]! << 8) | f[p + 5]!;
    const offset = (f[p + 6]! << 16) | (f[p + 7]! << 8) | f[p + 8]!;
    const fl = (f[p + 9]! << 16) | (f[p + 10]! << 8) | f[p + 11]!;
    if (p + 12 + fl > f.length || offset + fl > length) return { fragments: out, malformed: true };
    out.push({ msgType, length, messageSeq, offset, data: f.subarray(p + 12, p + 12 + fl) });
    p += 12 + fl;
  }
  return { fragments: out, malformed: p !== f.length };
}

/** Cheap test for the start of DTLS: an epoch-0 handshake record holding a ClientHello, ServerHello or HelloVerifyRequest fragment. */
export function looksLikeDtlsStart(d: Uint8Array): boolean {
  if (d.length < 25 || d[0] !== 22 || d[1] !== 0xfe) return false;
  const v2 = d[2]!;
  if (v2 !== 0xff && v2 !== 0xfd && v2 !== 0xfc) return false;
  if (d[3] !== 0 || d[4] !== 0) return false;
  const len = (d[11]! << 8) | d[12]!;
  if (len < 12 || 13 + len > d.length) return false;
  const t = d[13]!;
  if (t !== 1 && t !== 2 && t !== 3) return false;
  const mlen = (d[14]! << 16) | (d[15]! << 8) | d[16]!;
  const off = (d[19]! << 16) | (d[20]! << 8) | d[21]!;
  const fl = (d[22]! << 16) | (d[23]! << 8) | d[24]!;
  return fl + 12 <= len && off + fl <= mlen;
}
