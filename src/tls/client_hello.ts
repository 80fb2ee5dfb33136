/**
 * ClientHello decoders: the TLS handshake message (RFC 8446 section 4.1.2,
 * RFC 5246 section 7.4.1.2, SSL 3.0 RFC 6101 5.6.1.2) and the SSLv2-compatible
 * CLIENT-HELLO (RFC 5246 appendix E.2, RFC 6101 appendix E.1).
 */
import type { ClientHelloJson, EchJson, ExtensionJson, KeyShareJson } from '../core/model.js';
import { cipherSuiteName, versionName } from '../registry/index.js';
import { EXT, readExtensions } from './extensions.js';
import { Reader, Truncated, toHex, type Problem } from './reader.js';
import { ChainCache, mixBytes } from '../core/chain-cache.js';
import { internList } from '../core/intern.js';

export interface Decoded<T> {
  value: T;
  problems: Problem[];
}

/**
 * Cipher-suite lists repeat across sessions (one per client build), so the
 * decoded codes and names are shared per distinct list of bytes (bounded).
 * The shared arrays are frozen: nothing downstream may modify them.
 */
interface SuitesEntry {
  raw: Uint8Array;
  codes: number[];
  names: string[];
  next: SuitesEntry | undefined;
}
const suitesCache = new ChainCache<SuitesEntry>(4096);

function internedSuites(buf: Uint8Array, start: number, end: number): { codes: number[]; names: string[] } {
  const h = mixBytes(end - start, buf, start, end);
  search: for (let e = suitesCache.head(h); e; e = e.next) {
    const raw = e.raw;
    if (raw.length !== end - start) continue;
    for (let i = 0; i < raw.length; i++) if (raw[i] !== buf[start + i]) continue search;
    return e;
  }
  const codes: number[] = [];
  const names: string[] = [];
  for (let i = start; i + 1 < end; i += 2) {
    const v = ((buf[i] as number) << 8) | (buf[i + 1] as number);
    codes.push(v);
    names.push(cipherSuiteName(v));
  }
  Object.freeze(codes);
  Object.freeze(names);
  const e: SuitesEntry = { raw: buf.slice(start, end), codes, names, next: undefined };
  suitesCache.add(h, e);
  return e;
}

/** The shared (frozen) empty list a hello field holds when the extension behind it is absent. */
const NONE = Object.freeze([]) as never[];

/**
 * `details` (extensions in wire order) or the shared frozen list with the
 * same extensions, when each of them is a shared one (src/tls/extensions.ts
 * shares all but the malformed and the undecoded) and the same list was
 * seen before: keyed by the shared list of their types, at most
 * DETAIL_LISTS_PER_TYPES lists per type list. A list seen once stays the
 * hello's own (a client that randomises its extension order, as Chrome
 * does, makes a new list almost every time: sharing those would only cost).
 */
export function internDetails(types: readonly number[], details: ExtensionJson[]): ExtensionJson[] {
  if (details.length === 0) return NONE;
  if (!Object.isFrozen(types)) return details;
  for (let i = 0; i < details.length; i++) if (!Object.isFrozen(details[i])) return details;
  let lists = detailLists.get(types);
  if (lists === undefined) {
    lists = [];
    detailLists.set(types, lists);
  }
  search: for (const l of lists) {
    for (let i = 0; i < l.length; i++) if (l[i] !== details[i]) continue search;
    return l;
  }
  if (lists.length >= DETAIL_LISTS_PER_TYPES) lists.shift();
  // a frozen copy is shared from the second hello with these extensions on
  lists.push(Object.freeze(details.slice()) as ExtensionJson[]);
  return details;
}
/** Per shared type list (a weak key: gone with the list): the shared extension lists seen with it. */
const detailLists = new WeakMap<readonly number[], ExtensionJson[][]>();
const DETAIL_LISTS_PER_TYPES = 16;

export function emptyClientHello(length: number): ClientHelloJson {
  return {
    version: 0,
    version_name: versionName(0),
    random: '',
    session_id: '',
    cipher_suites: [],
    cipher_suite_names: [],
    compression_methods: [],
    extensions: [],
    extension_details: [],
    server_name: null,
    alpn: NONE,
    supported_versions: NONE,
    supported_groups: NONE,
    ec_point_formats: NONE,
    signature_algorithms: NONE,
    signature_algorithms_cert: NONE,
    key_shares: NONE,
    psk_key_exchange_modes: NONE,
    early_data: false,
    session_ticket_length: null,
    length,
  };
}

/**
 * Records every extension in wire order into `types`/`details`, and calls
 * `apply` for the first decoded occurrence of each type (later duplicates are
 * kept in the lists but do not override).
 */
export function collectExtensions(
  exts: ExtensionJson[], types: number[], details: ExtensionJson[], apply: (e: ExtensionJson) => void,
): void {
  const done = exts.length > 64 ? new Set<number>() : null;
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i] as ExtensionJson;
    types.push(e.type);
    details.push(e);
    if (e.value === undefined) continue;
    if (done !== null) {
      if (done.has(e.type)) continue;
      done.add(e.type);
    } else if (appliedBefore(exts, i)) continue;
    apply(e);
  }
}

/** An earlier extension of the same type, with a value, was applied already (short lists). */
function appliedBefore(exts: ExtensionJson[], i: number): boolean {
  const type = (exts[i] as ExtensionJson).type;
  for (let j = 0; j < i; j++) {
    const x = exts[j] as ExtensionJson;
    if (x.type === type && x.value !== undefined) return true;
  }
  return false;
}

/** Copy what the extensions say into the top-level fields (first occurrence of a type wins). */
function applyExtensions(h: ClientHelloJson, exts: ExtensionJson[]): void {
  collectExtensions(exts, h.extensions, h.extension_details, (e) => {
    const v = e.value;
    switch (e.type) {
      case EXT.server_name: {
        const names = (v as { names?: { type: number; name: string }[] }).names;
        const host = names?.find((n) => n.type === 0);
        if (host) h.server_name = host.name;
        break;
      }
      case EXT.alpn: h.alpn = v as string[]; break;
      case EXT.supported_versions: h.supported_versions = v as number[]; break;
      case EXT.supported_groups: h.supported_groups = v as number[]; break;
      case EXT.ec_point_formats: h.ec_point_formats = v as number[]; break;
      case EXT.signature_algorithms: h.signature_algorithms = v as number[]; break;
      case EXT.signature_algorithms_cert: h.signature_algorithms_cert = v as number[]; break;
      case EXT.key_share: case EXT.key_share_old:
        if (h.key_shares.length === 0) h.key_shares = v as KeyShareJson[];
        break;
      case EXT.psk_key_exchange_modes: h.psk_key_exchange_modes = v as number[]; break;
      case EXT.pre_shared_key: h.pre_shared_key = v as { identities: number; binders: number }; break;
      case EXT.early_data: h.early_data = true; break;
      case EXT.session_ticket: h.session_ticket_length = (v as { length: number }).length; break;
      case EXT.encrypted_client_hello: h.ech = v as EchJson; break;
    }
  });
}

/**
 * Decode a ClientHello body (the bytes after the 4-byte handshake header).
 * On a framing error the fields read so far are returned with a
 * `malformed_client_hello` problem.
 */
export function decodeClientHello(body: Uint8Array, recordVersion?: number): Decoded<ClientHelloJson> {
  const h = emptyClientHello(body.length);
  if (recordVersion !== undefined) h.record_version = recordVersion;
  const problems: Problem[] = [];
  const r = new Reader(body);
  try {
    h.version = r.u16('legacy_version');
    h.version_name = versionName(h.version);
    h.random = toHex(r.bytes(32, 'random'));
    const sid = r.vec(1, 'legacy_session_id');
    if (sid.remaining > 32) problems.push({ code: 'session_id_too_long', detail: `${sid.remaining} bytes` });
    h.session_id = toHex(sid.bytes(sid.remaining));
    const cs = r.vec(2, 'cipher_suites');
    if (cs.remaining % 2 !== 0) problems.push({ code: 'odd_cipher_suites_length' });
    const suites = internedSuites(cs.buf, cs.pos, cs.pos + (cs.remaining & ~1));
    h.cipher_suites = suites.codes;
    h.cipher_suite_names = suites.names;
    cs.skip(cs.remaining & ~1);
    const cm = r.vec(1, 'legacy_compression_methods');
    while (cm.remaining > 0) h.compression_methods.push(cm.u8());
    h.compression_methods = internList(h.compression_methods);
    // Extensions are optional before TLS 1.3 (RFC 5246 7.4.1.2: "may be followed by")
    if (r.remaining > 0) {
      const exts = readExtensions(r, 'client_hello', problems);
      applyExtensions(h, exts);
      if (r.remaining > 0) problems.push({ code: 'trailing_data', detail: `${r.remaining} bytes after client_hello extensions` });
    }
    h.extensions = internList(h.extensions);
    h.extension_details = internDetails(h.extensions, h.extension_details);
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    problems.push({ code: 'malformed_client_hello', detail: `truncated at ${e.what} (offset ${r.pos} of ${body.length})` });
  }
  return { value: h, problems };
}

/**
 * Decode an SSLv2 CLIENT-HELLO message (starting at msg_type, after the
 * 2-byte record header). RFC 5246 E.2 / RFC 6101 E.1:
 *   msg_type(1)=1, version(2), cipher_spec_length(2), session_id_length(2),
 *   challenge_length(2), cipher_specs[3*n], session_id, challenge.
 * Cipher specs are 3 bytes. Choice (as tshark shows them): a spec whose first
 * byte is 0 is a TLS suite and is kept as its 16-bit value; others (SSLv2
 * kinds such as 0x010080 SSL2_RC4_128_WITH_MD5) are kept as 24-bit values.
 * `random` is the challenge right-justified in 32 bytes (RFC 5246 E.2).
 * `version` is the hello's version field (0x0002 for pure SSLv2, 0x0300+ when
 * the client can speak SSL 3.0/TLS); record_version is 2.
 */
export function decodeSslv2ClientHello(msg: Uint8Array): Decoded<ClientHelloJson> {
  const h = emptyClientHello(msg.length);
  h.sslv2 = true;
  h.record_version = 2;
  const problems: Problem[] = [];
  const r = new Reader(msg);
  try {
    r.u8('msg_type');
    h.version = r.u16('version');
    h.version_name = versionName(h.version);
    const csLen = r.u16('cipher_spec_length');
    const sidLen = r.u16('session_id_length');
    const chLen = r.u16('challenge_length');
    if (csLen % 3 !== 0) problems.push({ code: 'malformed_client_hello', detail: 'SSLv2 cipher_spec_length not a multiple of 3' });
    const cs = new Reader(r.bytes(csLen, 'cipher_specs'));
    while (cs.remaining >= 3) {
      const a = cs.u8();
      const b = cs.u16();
      const v = a === 0 ? b : a * 0x10000 + b;
      h.cipher_suites.push(v);
      h.cipher_suite_names.push(cipherSuiteName(v));
    }
    h.session_id = toHex(r.bytes(sidLen, 'session_id'));
    const challenge = r.bytes(chLen, 'challenge');
    const c = challenge.length > 32 ? challenge.subarray(challenge.length - 32) : challenge;
    h.random = '00'.repeat(32 - c.length) + toHex(c);
    h.compression_methods = [0];
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    problems.push({ code: 'malformed_client_hello', detail: `SSLv2 CLIENT-HELLO truncated at ${e.what}` });
  }
  return { value: h, problems };
}
