/**
 * ServerHello / HelloRetryRequest decoder (RFC 8446 section 4.1.3, 4.1.4;
 * RFC 5246 section 7.4.1.3). Also the pre-draft-22 TLS 1.3 layout
 * (draft-ietf-tls-tls13-21 4.1.3: version 0x7fxx, no session id, no
 * compression method).
 */
import type { ServerHelloJson } from '../core/model.js';
import { cipherSuiteName, versionName } from '../registry/index.js';
import { collectExtensions, internDetails, type Decoded } from './client_hello.js';
import { EXT, readExtensions } from './extensions.js';
import { Reader, Truncated, toHex, type Problem } from './reader.js';
import { internList } from '../core/intern.js';

/** SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446 4.1.3). */
export const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

/** True for TLS 1.3 drafts before 22, whose ServerHello has no session id and no compression. */
export function isEarlyDraft(v: number): boolean {
  return v >= 0x7f00 && v < 0x7f16;
}

export function decodeServerHello(body: Uint8Array): Decoded<ServerHelloJson> {
  const h: ServerHelloJson = {
    version: 0,
    version_name: versionName(0),
    random: '',
    session_id: '',
    cipher_suite: 0,
    cipher_suite_name: cipherSuiteName(0),
    compression_method: 0,
    extensions: [],
    extension_details: [],
    hello_retry_request: false,
    length: body.length,
  };
  const problems: Problem[] = [];
  const r = new Reader(body);
  try {
    h.version = r.u16('version');
    h.version_name = versionName(h.version);
    h.random = toHex(r.bytes(32, 'random'));
    h.hello_retry_request = h.random === HRR_RANDOM;
    const early = isEarlyDraft(h.version);
    if (!early) {
      const sid = r.vec(1, 'legacy_session_id_echo');
      if (sid.remaining > 32) problems.push({ code: 'session_id_too_long', detail: `${sid.remaining} bytes` });
      h.session_id = toHex(sid.bytes(sid.remaining));
    }
    h.cipher_suite = r.u16('cipher_suite');
    h.cipher_suite_name = cipherSuiteName(h.cipher_suite);
    if (!early) h.compression_method = r.u8('compression_method');
    if (r.remaining > 0) {
      const exts = readExtensions(r, h.hello_retry_request ? 'hello_retry_request' : 'server_hello', problems);
      collectExtensions(exts, h.extensions, h.extension_details, (e) => {
        const v = e.value;
        switch (e.type) {
          case EXT.supported_versions:
            h.selected_version = v as number;
            break;
          case EXT.alpn: {
            const l = v as string[];
            if (l[0] !== undefined) h.alpn = l[0];
            break;
          }
          case EXT.key_share:
          case EXT.key_share_old:
            h.key_share_group = (v as { group: number }).group;
            break;
          case EXT.pre_shared_key:
            h.pre_shared_key_identity = (v as { selected_identity: number }).selected_identity;
            break;
        }
      });
      if (r.remaining > 0) problems.push({ code: 'trailing_data', detail: `${r.remaining} bytes after server_hello extensions` });
    }
    h.extensions = internList(h.extensions);
    h.extension_details = internDetails(h.extensions, h.extension_details);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    problems.push({ code: 'malformed_server_hello', detail: `truncated at ${e.what} (offset ${r.pos} of ${body.length})` });
  }
  return { value: h, problems };
}
