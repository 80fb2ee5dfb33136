/**
 * Summary of a stapled OCSP response (RFC 6960 4.2.1; the CertificateStatus
 * handshake message carries one OCSPResponse). Hand-read with the small DER
 * reader; never throws. Only the first SingleResponse is summarized
 * (a stapled response is for the leaf).
 */
import { children, parseDerTime, readTlv, toHex, type Tlv } from './der.js';
import { derNameToRfc4514 } from './names.js';

export type OcspStatus =
  | 'successful'
  | 'malformedRequest'
  | 'internalError'
  | 'tryLater'
  | 'sigRequired'
  | 'unauthorized'
  | 'unknown';

export interface OcspSummary {
  status: OcspStatus;
  cert_status?: 'good' | 'revoked' | 'unknown';
  produced_at?: string;
  this_update?: string;
  next_update?: string;
  /** RFC 4514 name (byName) or 'keyhash:<hex>' (byKey). */
  responder?: string;
  /** When revoked. */
  revocation_time?: string;
  revocation_reason?: string;
  /** Serial (hex, uppercase) of the certificate the first SingleResponse is about. */
  serial?: string;
  /** Number of SingleResponses. */
  responses?: number;
  parse_error?: string;
}

const STATUS: Record<number, OcspStatus> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

const REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

const ID_PKIX_OCSP_BASIC = '06092b0601050507300101'; // DER of OID 1.3.6.1.5.5.7.48.1.1

export function summarizeOcsp(der: Uint8Array): OcspSummary {
  try {
    return parse(der);
  } catch (e) {
    return { status: 'unknown', parse_error: `internal: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function fail(out: OcspSummary, why: string): OcspSummary {
  out.parse_error = why;
  return out;
}

function parse(b: Uint8Array): OcspSummary {
  const out: OcspSummary = { status: 'unknown' };
  if (!(b instanceof Uint8Array)) return fail(out, 'not a byte array');
  const top = readTlv(b, 0);
  if (!top || top.tag !== 0x30) return fail(out, 'OCSPResponse is not a SEQUENCE');
  const [st, rb] = children(b, top);
  if (!st || st.tag !== 0x0a || st.end - st.start !== 1) return fail(out, 'bad responseStatus');
  const code = b[st.start]!;
  out.status = STATUS[code] ?? 'unknown';
  if (out.status === 'unknown') return fail(out, `unknown responseStatus ${code}`);
  if (out.status !== 'successful') return out;
  if (!rb || rb.tag !== 0xa0) return fail(out, 'successful response without responseBytes');
  const rbSeq = readTlv(b, rb.start, rb.end);
  if (!rbSeq || rbSeq.tag !== 0x30) return fail(out, 'bad ResponseBytes');
  const [type, resp] = children(b, rbSeq);
  if (!type || type.tag !== 0x06 || !resp || resp.tag !== 0x04) return fail(out, 'bad ResponseBytes');
  if (toHex(b.subarray(type.headerStart, type.end)) !== ID_PKIX_OCSP_BASIC) {
    return fail(out, 'responseType is not id-pkix-ocsp-basic');
  }
  const basic = readTlv(b, resp.start, resp.end);
  if (!basic || basic.tag !== 0x30) return fail(out, 'bad BasicOCSPResponse');
  const tbs = children(b, basic)[0];
  if (!tbs || tbs.tag !== 0x30) return fail(out, 'bad ResponseData');
  const fields = children(b, tbs);
  let i = 0;
  if (fields[i]?.tag === 0xa0) i++; // version
  const rid = fields[i++];
  if (rid?.tag === 0xa1) {
    const n = b.subarray(rid.start, rid.end);
    out.responder = derNameToRfc4514(n) ?? 'name:' + toHex(n);
  } else if (rid?.tag === 0xa2) {
    const kh = readTlv(b, rid.start, rid.end);
    out.responder = 'keyhash:' + (kh && kh.tag === 0x04 ? toHex(b.subarray(kh.start, kh.end)) : toHex(b.subarray(rid.start, rid.end)));
  } else {
    return fail(out, 'bad responderID');
  }
  const produced = fields[i++];
  if (!produced || produced.tag !== 0x18) return fail(out, 'bad producedAt');
  out.produced_at = parseDerTime(b, produced) ?? undefined;
  const responses = fields[i++];
  if (!responses || responses.tag !== 0x30) return fail(out, 'bad responses');
  const singles = children(b, responses);
  out.responses = singles.length;
  const first = singles[0];
  if (!first) return fail(out, 'no SingleResponse');
  singleResponse(b, first, out);
  if (out.produced_at === undefined) delete out.produced_at;
  return out;
}

function singleResponse(b: Uint8Array, s: Tlv, out: OcspSummary): void {
  const f = children(b, s);
  const certId = f[0];
  if (certId?.tag === 0x30) {
    const parts = children(b, certId);
    const serial = parts[3];
    if (serial?.tag === 0x02) {
      let sb = b.subarray(serial.start, serial.end);
      if (sb.length > 1 && sb[0] === 0 && (sb[1]! & 0x80) !== 0) sb = sb.subarray(1);
      out.serial = toHex(sb).toUpperCase();
    }
  }
  const cs = f[1];
  if (cs) {
    if (cs.tag === 0x80) out.cert_status = 'good';
    else if (cs.tag === 0xa1) {
      out.cert_status = 'revoked';
      const ri = children(b, cs);
      const rt = ri[0];
      if (rt && rt.tag === 0x18) {
        const t = parseDerTime(b, rt);
        if (t) out.revocation_time = t;
      }
      const rr = ri[1];
      if (rr && rr.tag === 0xa0) {
        const e = readTlv(b, rr.start, rr.end);
        if (e && e.tag === 0x0a && e.end - e.start === 1) {
          const r = b[e.start]!;
          out.revocation_reason = REASONS[r] ?? String(r);
        }
      }
    } else if (cs.tag === 0x82) out.cert_status = 'unknown';
  }
  const tu = f[2];
  if (tu && tu.tag === 0x18) {
    const t = parseDerTime(b, tu);
    if (t) out.this_update = t;
  }
  const nu = f[3];
  if (nu && nu.tag === 0xa0) {
    const g = readTlv(b, nu.start, nu.end);
    if (g && g.tag === 0x18) {
      const t = parseDerTime(b, g);
      if (t) out.next_update = t;
    }
  }
  if (!out.cert_status) out.parse_error = 'bad certStatus';
}
