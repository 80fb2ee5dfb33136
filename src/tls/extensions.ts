/**
 * Extension decoders (RFC 8446 section 4.2 and the RFCs cited per case).
 * Each produces an `ExtensionJson` with a `value` whose shape depends on the
 * type (documented at `decodeExtensionValue`). Unknown extensions keep their
 * type, length and hex (capped at 256 bytes).
 */
import type { EchJson, ExtensionJson, KeyShareJson } from '../core/model.js';
import { extensionName, groupName, isGrease } from '../registry/index.js';
import { Reader, Truncated, toHex, wireText, type Problem } from './reader.js';
import { ChainCache, mix, mixBytes } from '../core/chain-cache.js';
import { deepFreeze } from '../core/intern.js';

export type HelloKind = 'client_hello' | 'server_hello' | 'hello_retry_request';

/** Extension type numbers used by the decoders. */
export const EXT = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  heartbeat: 15,
  alpn: 16,
  signed_certificate_timestamp: 18,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  compress_certificate: 27,
  record_size_limit: 28,
  delegated_credential: 34,
  session_ticket: 35,
  key_share_old: 40,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  quic_transport_parameters: 57,
  application_settings_old: 17513,
  application_settings: 17613,
  encrypted_client_hello: 0xfe0d,
  renegotiation_info: 0xff01,
  quic_transport_parameters_draft: 0xffa5,
} as const;

const HEX_CAP = 256;

function u16List(r: Reader, lenBytes: 1 | 2 = 2): number[] {
  const v = r.vec(lenBytes, 'list');
  const out: number[] = [];
  while (v.remaining >= 2) out.push(v.u16());
  if (v.remaining !== 0) throw new Truncated('odd list length');
  return out;
}
function u8List(r: Reader): number[] {
  const v = r.vec(1, 'list');
  const out: number[] = [];
  while (v.remaining > 0) out.push(v.u8());
  return out;
}
function protocolList(r: Reader): string[] {
  const v = r.vec(2, 'protocol list');
  const out: string[] = [];
  while (v.remaining > 0) {
    const p = v.vec(1, 'protocol');
    out.push(wireText(p.bytes(p.remaining)));
  }
  return out;
}
function keyShare(r: Reader): KeyShareJson {
  const group = r.u16('key_share group');
  const key = r.vec(2, 'key_exchange');
  return { group, group_name: groupName(group), key_length: key.remaining };
}
function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Decode one extension's body. Value shapes:
 * - server_name (RFC 6066 3): CH `{ names: {type, name}[] }`; SH `true` (empty ack)
 * - max_fragment_length (RFC 6066 4), heartbeat (RFC 6520 2), record_size_limit (RFC 8449): a number
 * - status_request (RFC 6066 8): CH `{ status_type, responder_id_list_length, request_extensions_length }`; SH `true`
 * - supported_groups, signature_algorithms(_cert), delegated_credential (RFC 9345), supported_versions (CH),
 *   compress_certificate (RFC 8879): number[]; ec_point_formats, psk_key_exchange_modes: number[]
 *   (client-only lists are not decoded in a ServerHello: hex)
 * - ALPN (RFC 7301) and application_settings (ALPS): string[]
 * - supported_versions (SH/HRR): number (selected version)
 * - key_share (RFC 8446 4.2.8; also pre-draft-23 type 40): CH `KeyShareJson[]`; SH `KeyShareJson`; HRR `{ group, group_name }`
 * - pre_shared_key (RFC 8446 4.2.11): CH `{ identities, binders }`; SH `{ selected_identity }`
 * - early_data (RFC 8446 4.2.10), encrypt_then_mac, extended_master_secret, post_handshake_auth: `true`
 * - session_ticket (RFC 5077), signed_certificate_timestamp (RFC 6962), renegotiation_info (RFC 5746), cookie,
 *   padding (RFC 7685, plus `zero`): `{ length }`
 * - encrypted_client_hello (draft-ietf-tls-esni): CH `EchJson`; SH/HRR `{ length }`
 * - quic_transport_parameters (RFC 9001 8.2): `{ ids: number[] }`
 */
function decodeValue(type: number, r: Reader, kind: HelloKind): unknown {
  const ch = kind === 'client_hello';
  switch (type) {
    case EXT.server_name: {
      if (!ch || r.remaining === 0) return true;
      const list = r.vec(2, 'server_name_list');
      const names: { type: number; name: string }[] = [];
      while (list.remaining > 0) {
        const t = list.u8('name_type');
        const n = list.vec(2, 'host_name');
        names.push({ type: t, name: wireText(n.bytes(n.remaining)) });
      }
      return { names };
    }
    case EXT.max_fragment_length:
    case EXT.heartbeat:
      return r.u8();
    case EXT.record_size_limit:
      return r.u16();
    case EXT.status_request: {
      if (r.remaining === 0) return true;
      const status_type = r.u8('status_type');
      if (status_type !== 1) {
        r.skip(r.remaining);
        return { status_type };
      }
      const ids = r.vec(2, 'responder_id_list');
      const ext = r.vec(2, 'request_extensions');
      return { status_type, responder_id_list_length: ids.remaining, request_extensions_length: ext.remaining };
    }
    case EXT.supported_groups:
    case EXT.signature_algorithms:
    case EXT.signature_algorithms_cert:
    case EXT.delegated_credential:
      // Client lists; a server never sends these in a (plaintext) ServerHello: kept as hex there.
      return ch ? u16List(r) : undefined;
    case EXT.compress_certificate:
      return u16List(r, 1);
    case EXT.ec_point_formats:
      return u8List(r);
    case EXT.psk_key_exchange_modes:
      return ch ? u8List(r) : undefined;
    case EXT.alpn:
    case EXT.application_settings:
    case EXT.application_settings_old: {
      if (type !== EXT.alpn && !ch) {
        // ALPS in EncryptedExtensions carries settings, not a list; never seen in plaintext SH.
        const n = r.remaining;
        r.skip(n);
        return { length: n };
      }
      return protocolList(r);
    }
    case EXT.supported_versions:
      return ch ? u16List(r, 1) : r.u16('selected_version');
    case EXT.key_share:
    case EXT.key_share_old: {
      if (kind === 'hello_retry_request') {
        const group = r.u16('selected_group');
        return { group, group_name: groupName(group) };
      }
      if (!ch) return keyShare(r);
      const list = r.vec(2, 'client_shares');
      const out: KeyShareJson[] = [];
      while (list.remaining > 0) out.push(keyShare(list));
      return out;
    }
    case EXT.pre_shared_key: {
      if (!ch) return { selected_identity: r.u16('selected_identity') };
      const ids = r.vec(2, 'identities');
      let identities = 0;
      while (ids.remaining > 0) {
        ids.vec(2, 'identity');
        ids.u32('obfuscated_ticket_age');
        identities++;
      }
      const binders = r.vec(2, 'binders');
      let nb = 0;
      while (binders.remaining > 0) {
        binders.vec(1, 'binder');
        nb++;
      }
      return { identities, binders: nb };
    }
    case EXT.early_data:
      if (r.remaining === 4) return { max_early_data_size: r.u32() };
      return true;
    case EXT.encrypt_then_mac:
    case EXT.extended_master_secret:
    case EXT.post_handshake_auth:
      return true;
    case EXT.padding: {
      const b = r.bytes(r.remaining);
      return { length: b.length, zero: allZero(b) };
    }
    case EXT.session_ticket:
    case EXT.signed_certificate_timestamp:
    case EXT.cookie: {
      const n = r.remaining;
      r.skip(n);
      return { length: n };
    }
    case EXT.renegotiation_info: {
      const v = r.vec(1, 'renegotiated_connection');
      return { length: v.remaining };
    }
    case EXT.encrypted_client_hello: {
      if (!ch) {
        const n = r.remaining;
        r.skip(n);
        return { length: n };
      }
      return decodeEch(r);
    }
    case EXT.quic_transport_parameters:
    case EXT.quic_transport_parameters_draft: {
      const ids: number[] = [];
      while (r.remaining > 0) {
        ids.push(r.varint('parameter id'));
        const len = r.varint('parameter length');
        r.skip(len, 'parameter value');
      }
      return { ids };
    }
    default:
      return undefined;
  }
}

/** ECHClientHello (draft-ietf-tls-esni section 5): outer (0) or inner (1). */
export function decodeEch(r: Reader): EchJson {
  const t = r.u8('ech type');
  if (t === 1) return { type: 'inner' };
  if (t !== 0) throw new Truncated('unknown ECHClientHello type');
  const kdf = r.u16('kdf_id');
  const aead = r.u16('aead_id');
  const config_id = r.u8('config_id');
  const enc = r.vec(2, 'enc');
  const payload = r.vec(2, 'payload');
  return { type: 'outer', config_id, kdf, aead, enc_length: enc.remaining, payload_length: payload.remaining };
}

/**
 * Extensions whose bytes repeat across sessions of one client or server
 * build (lists of groups, signature schemes, versions, ALPN, flags) or of
 * one server (server_name), unlike key_share, session tickets or PSKs. Their
 * decoded form is shared per (hello kind, type, bytes) when at most
 * INTERN_MAX_BYTES long; shared objects are frozen (with their values),
 * nothing may modify them. GREASE extensions are shared the same way (their
 * types and bytes are drawn from a few values). A key_share's bytes are new
 * keys every time, but its decoded form (groups and key lengths) repeats: it
 * is shared by that form (internByForm, below).
 */
const INTERNED_TYPES = new Set<number>([
  EXT.server_name, EXT.max_fragment_length, EXT.status_request, EXT.supported_groups, EXT.ec_point_formats, EXT.signature_algorithms,
  EXT.heartbeat, EXT.alpn, EXT.signed_certificate_timestamp, EXT.padding, EXT.encrypt_then_mac,
  EXT.extended_master_secret, EXT.compress_certificate, EXT.record_size_limit, EXT.delegated_credential,
  EXT.supported_versions, EXT.psk_key_exchange_modes, EXT.post_handshake_auth, EXT.signature_algorithms_cert,
  EXT.application_settings_old, EXT.application_settings, EXT.renegotiation_info,
]);
const INTERN_MAX_BYTES = 256;
const INTERN_MAX_ENTRIES = 4096;

function internedByBytes(type: number): boolean {
  return INTERNED_TYPES.has(type) || isGrease(type);
}

interface InternedExtension {
  kind: HelloKind;
  type: number;
  raw: Uint8Array;
  ext: ExtensionJson;
  next: InternedExtension | undefined;
}
const interned = new ChainCache<InternedExtension>(INTERN_MAX_ENTRIES);

function internKey(type: number, buf: Uint8Array, start: number, n: number, kind: HelloKind): number {
  return mixBytes(mix(type << 2, kind === 'client_hello' ? 1 : kind === 'server_hello' ? 2 : 3) ^ n, buf, start, start + n);
}

function findInterned(type: number, buf: Uint8Array, start: number, n: number, kind: HelloKind): ExtensionJson | undefined {
  search: for (let e = interned.head(internKey(type, buf, start, n, kind)); e; e = e.next) {
    if (e.type !== type || e.kind !== kind || e.raw.length !== n) continue;
    const raw = e.raw;
    for (let i = 0; i < n; i++) if (raw[i] !== buf[start + i]) continue search;
    return e.ext;
  }
  return undefined;
}

function internedExtension(type: number, data: Uint8Array, kind: HelloKind): ExtensionJson {
  const hit = findInterned(type, data, 0, data.length, kind);
  if (hit !== undefined) return hit;
  const h = internKey(type, data, 0, data.length, kind);
  const ext = decodeExtensionUncached(type, data, kind);
  deepFreeze(ext);
  interned.add(h, { kind, type, raw: data.slice(), ext, next: undefined });
  return ext;
}

/**
 * Extensions whose bytes are new every time (keys, tickets, binders, SCT
 * lists, cookies) but whose decoded form (groups and key lengths, lengths,
 * counts) repeats: shared by that form (internByForm), when decoded cleanly.
 */
const FORM_INTERNED_TYPES = new Set<number>([
  EXT.key_share, EXT.key_share_old, EXT.session_ticket, EXT.pre_shared_key, EXT.signed_certificate_timestamp,
  EXT.cookie, EXT.early_data, EXT.encrypted_client_hello, EXT.quic_transport_parameters, EXT.quic_transport_parameters_draft,
]);

interface FormInterned {
  kind: HelloKind;
  ext: ExtensionJson;
  next: FormInterned | undefined;
}
const byForm = new ChainCache<FormInterned>(INTERN_MAX_ENTRIES);

/**
 * A hash of decoded plain data for internByForm: its numbers, booleans and
 * list lengths (strings and key names are left to sameForm: here they follow
 * from the numbers, e.g. a group's name from its code).
 */
function formHash(h: number, v: unknown): number {
  if (typeof v === 'number') return mix(h, v | 0);
  if (typeof v === 'boolean') return mix(h, v ? 1 : 2);
  if (typeof v !== 'object' || v === null) return mix(h, 3);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) h = formHash(h, v[i]);
    return mix(h, v.length);
  }
  for (const k in v) h = formHash(h, (v as Record<string, unknown>)[k]);
  return mix(h, 4);
}

/**
 * Deep equality of decoded plain data. Key order is not compared: the values
 * compared are made by the same decoder for the same hello kind and
 * extension type, which sets their keys in one order.
 */
export function sameForm(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameForm(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // every key of x is in y with the same value; then equal key counts leave y nothing more
  let n = 0;
  for (const k in x) {
    if (!(k in y) || !sameForm(x[k], y[k])) return false;
    n++;
  }
  return n === keyCount(y);
}

/** The number of enumerable keys of `o`, without making a list of them. */
function keyCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** A decoded extension, or the shared frozen one of the same hello kind with the same JSON form. */
function internByForm(e: ExtensionJson, kind: HelloKind): ExtensionJson {
  if (e.hex !== undefined || e.malformed) return e;
  const h = formHash(mix(mix(kind === 'client_hello' ? 1 : kind === 'server_hello' ? 2 : 3, e.type), e.length), e.value);
  for (let c = byForm.head(h); c; c = c.next) if (c.kind === kind && sameForm(c.ext, e)) return c.ext;
  deepFreeze(e);
  byForm.add(h, { kind, ext: e, next: undefined });
  return e;
}

/** Decode one extension (type, data) into its JSON form. Never throws. */
export function decodeExtension(type: number, data: Uint8Array, kind: HelloKind): ExtensionJson {
  if (data.length <= INTERN_MAX_BYTES && internedByBytes(type)) return internedExtension(type, data, kind);
  const e = decodeExtensionUncached(type, data, kind);
  return FORM_INTERNED_TYPES.has(type) ? internByForm(e, kind) : e;
}

function decodeExtensionUncached(type: number, data: Uint8Array, kind: HelloKind): ExtensionJson {
  const e: ExtensionJson = { type, name: extensionName(type), length: data.length };
  if (isGrease(type)) {
    e.grease = true;
    if (data.length > 0) e.hex = toHex(data, HEX_CAP);
    return e;
  }
  const r = new Reader(data);
  let value: unknown;
  try {
    value = decodeValue(type, r, kind);
    if (value !== undefined && r.remaining !== 0) throw new Truncated('trailing bytes');
  } catch (err) {
    if (!(err instanceof Truncated)) throw err;
    e.malformed = true;
    e.hex = toHex(data, HEX_CAP);
    return e;
  }
  if (value === undefined) {
    if (data.length > 0) e.hex = toHex(data, HEX_CAP);
  } else {
    e.value = value;
  }
  return e;
}

/**
 * Walk an extensions block (`Extension extensions<0..2^16-1>`, RFC 8446 4.1.2)
 * from `r`. Returns the decoded list; `problems` receives anomaly codes.
 */
export function readExtensions(r: Reader, kind: HelloKind, problems: Problem[]): ExtensionJson[] {
  const list = r.vec(2, 'extensions');
  const out: ExtensionJson[] = [];
  let seen: Set<number> | null = null;
  while (list.remaining > 0) {
    const type = list.u16('extension type');
    const data = list.vec(2, 'extension_data');
    const n = data.remaining;
    let e: ExtensionJson | undefined;
    if (n <= INTERN_MAX_BYTES && internedByBytes(type)) {
      // looked up in place: no view is made unless it has to be decoded
      e = findInterned(type, data.buf, data.pos, n, kind);
      if (e === undefined) e = internedExtension(type, data.bytes(n), kind);
      else data.skip(n);
    } else {
      e = decodeExtension(type, data.bytes(n), kind);
    }
    // few extensions per hello: look back through them; a Set for long lists
    let dup = false;
    if (seen !== null) dup = seen.has(type);
    else if (out.length < 64) {
      for (let i = 0; i < out.length; i++) if ((out[i] as ExtensionJson).type === type) dup = true;
    } else {
      seen = new Set<number>();
      for (const x of out) seen.add(x.type);
      dup = seen.has(type);
    }
    if (dup) problems.push({ code: 'duplicate_extension', detail: `${e.name} (${type})` });
    seen?.add(type);
    if (e.malformed) problems.push({ code: 'malformed_extension', detail: `${e.name} (${type}) in ${kind}` });
    out.push(e);
  }
  return out;
}
