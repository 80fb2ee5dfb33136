/**
 * The anomaly catalogue: every stable code any stage reports (Zeek's "weirds",
 * Suricata's events), with a one-line description. Each stage owns its part;
 * this module only assembles them. docs/ANOMALIES.md is generated from it.
 */
import { CAPTURE_ANOMALIES } from '../capture/anomalies.js';
import { DECODE_ANOMALIES } from '../decode/anomalies.js';
import { REASSEMBLY_ANOMALIES } from '../reassembly/anomalies.js';
import { TLS_ANOMALIES } from '../tls/anomalies.js';
import { DTLS_ANOMALIES } from '../dtls/anomalies.js';
import { QUIC_ANOMALIES } from '../quic/anomalies.js';

/** Codes reported by the session stage itself. */
export const SESSION_ANOMALIES: Record<string, string> = {
  findings_error: 'The findings engine failed on this session; the session is exported without findings (a bug: please report it).',
  tls_detect_budget: 'Too much plaintext was held, across all flows, while looking for where TLS starts: this direction was no longer searched (memory cap).',
};

export const ANOMALY_CATALOGUE: { stage: string; codes: Record<string, string> }[] = [
  { stage: 'capture (file format; reported as warnings)', codes: CAPTURE_ANOMALIES },
  { stage: 'decode (link, IP, tunnels, TCP/UDP headers)', codes: DECODE_ANOMALIES },
  { stage: 'reassembly (TCP streams, UDP flows)', codes: REASSEMBLY_ANOMALIES },
  { stage: 'tls (records, handshake messages)', codes: TLS_ANOMALIES },
  { stage: 'dtls (records, handshake fragments)', codes: DTLS_ANOMALIES },
  { stage: 'quic (Initial packets, CRYPTO frames)', codes: QUIC_ANOMALIES },
  { stage: 'session', codes: SESSION_ANOMALIES },
];

export function isKnownAnomaly(code: string): boolean {
  return ANOMALY_CATALOGUE.some((c) => Object.hasOwn(c.codes, code));
}
