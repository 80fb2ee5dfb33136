/**
 * Session -> JSON text. Certificates repeat across sessions (the x509 stage
 * hands back one cached summary object per distinct certificate), so each
 * certificate's JSON is made once and spliced in, instead of re-serialising
 * its DER and summary for every session that carries it.
 */
import type { CertificateJson, Session } from '../core/model.js';

const certText = new WeakMap<CertificateJson, string>();

function certsJson(list: CertificateJson[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) {
    const c = list[i] as CertificateJson;
    let t = certText.get(c);
    if (t === undefined) {
      t = JSON.stringify(c);
      certText.set(c, t);
    }
    out += (i === 0 ? '' : ',') + t;
  }
  return out + ']';
}

/** Compact JSON of one session (same content as JSON.stringify(s)). */
export function sessionJson(s: Session): string {
  const server = s.certificates;
  const client = s.client_certificates;
  if (server.length === 0 && client.length === 0) return JSON.stringify(s);
  s.certificates = [];
  s.client_certificates = [];
  let text: string;
  try {
    text = JSON.stringify(s);
  } finally {
    s.certificates = server;
    s.client_certificates = client;
  }
  // Wire strings cannot hold these markers: inside JSON strings every quote is escaped.
  if (server.length > 0) text = text.replace('"certificates":[]', () => `"certificates":${certsJson(server)}`);
  if (client.length > 0) text = text.replace('"client_certificates":[]', () => `"client_certificates":${certsJson(client)}`);
  return text;
}
