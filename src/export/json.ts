/**
 * Session -> JSON text. Certificates repeat across sessions (the x509 stage
 * hands back one cached summary object per distinct certificate), so each
 * certificate's JSON is made once and spliced in, instead of re-serialising
 * its DER and summary for every session that carries it. The same goes for
 * a ClientHello's cipher-suite lists, which the TLS decoder shares (frozen)
 * between hellos with the same bytes.
 */
import type { CertificateJson, ClientHelloJson, Session } from '../core/model.js';

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

/** JSON of the shared (frozen) cipher-suite lists of ClientHellos, as `"cipher_suites":[..],"cipher_suite_names":[..]`. */
const suitesText = new WeakMap<readonly string[], { codes: readonly number[]; text: string }>();
const SUITES_MARK = '"cipher_suites":[],"cipher_suite_names":[]';
const NO_CODES = Object.freeze([]) as unknown as number[];
const NO_NAMES = Object.freeze([]) as unknown as string[];

function suitesJson(ch: ClientHelloJson): string | undefined {
  const names = ch.cipher_suite_names;
  const codes = ch.cipher_suites;
  if (names.length === 0 || !Object.isFrozen(names) || !Object.isFrozen(codes)) return undefined;
  const hit = suitesText.get(names);
  if (hit !== undefined && hit.codes === codes) return hit.text;
  const text = `"cipher_suites":${JSON.stringify(codes)},"cipher_suite_names":${JSON.stringify(names)}`;
  suitesText.set(names, { codes, text });
  return text;
}

/** Replaces the key/empty-list markers left in `text` by their JSON, piece by piece (found positions only). */
interface Splice {
  at: number;
  mark: string;
  value: string;
}

/**
 * Emits the compact JSON of one session (same content as JSON.stringify(s))
 * as consecutive pieces: the serialised session with markers where cached
 * texts go (certificates, the ClientHello's cipher-suite lists), slices of it
 * and the cached texts. Writing the pieces out avoids building (and later
 * flattening) one string per session.
 */
export function writeSessionJson(s: Session, emit: (piece: string) => void): void {
  const server = s.certificates;
  const client = s.client_certificates;
  const ch = s.client_hello;
  const retry = s.client_hello_retry;
  // SUITES_MARK is a key pair only a ClientHelloJson holds: it stands for `client_hello`
  // unless `client_hello_retry` has empty lists too (then the lists are serialised in place)
  const suites = ch !== undefined && (retry === undefined || (retry !== ch && (retry.cipher_suites.length > 0 || retry.cipher_suite_names.length > 0))) ? suitesJson(ch) : undefined;
  if (server.length === 0 && client.length === 0 && suites === undefined) {
    emit(JSON.stringify(s));
    return;
  }
  let text: string;
  if (server.length > 0) s.certificates = [];
  if (client.length > 0) s.client_certificates = [];
  const codes = ch?.cipher_suites;
  const names = ch?.cipher_suite_names;
  if (ch !== undefined && suites !== undefined) {
    ch.cipher_suites = NO_CODES;
    ch.cipher_suite_names = NO_NAMES;
  }
  try {
    text = JSON.stringify(s);
  } finally {
    s.certificates = server;
    s.client_certificates = client;
    if (ch !== undefined && suites !== undefined) {
      ch.cipher_suites = codes as number[];
      ch.cipher_suite_names = names as string[];
    }
  }
  // Wire strings cannot hold these markers: inside JSON strings every quote is escaped.
  const splices: Splice[] = [];
  if (suites !== undefined) {
    const at = text.indexOf(SUITES_MARK);
    if (at < 0) {
      // not expected: serialise plainly
      emit(JSON.stringify(s));
      return;
    }
    splices.push({ at, mark: SUITES_MARK, value: suites });
  }
  if (server.length > 0) {
    const at = text.indexOf('"certificates":[]');
    if (at >= 0) splices.push({ at, mark: '"certificates":[]', value: `"certificates":${certsJson(server)}` });
  }
  if (client.length > 0) {
    const at = text.indexOf('"client_certificates":[]');
    if (at >= 0) splices.push({ at, mark: '"client_certificates":[]', value: `"client_certificates":${certsJson(client)}` });
  }
  // at most three: insertion sort by position
  for (let i = 1; i < splices.length; i++) {
    for (let j = i; j > 0 && (splices[j - 1] as Splice).at > (splices[j] as Splice).at; j--) {
      const t = splices[j] as Splice;
      splices[j] = splices[j - 1] as Splice;
      splices[j - 1] = t;
    }
  }
  let from = 0;
  for (const x of splices) {
    if (x.at > from) emit(text.slice(from, x.at));
    emit(x.value);
    from = x.at + x.mark.length;
  }
  if (from < text.length) emit(from === 0 ? text : text.slice(from));
}

/** Compact JSON of one session (same content as JSON.stringify(s)). */
export function sessionJson(s: Session): string {
  let out = '';
  writeSessionJson(s, (piece) => {
    out = out === '' ? piece : out + piece;
  });
  return out;
}
