/**
 * The detail pane as an expandable tree: one session's summary, findings,
 * handshake, ClientHello (every field and extension, names beside numbers,
 * GREASE marked, what the server chose highlighted in the client's offer),
 * HelloRetryRequest, ServerHello, offered versus chosen, certificates,
 * alerts, anomalies, flags and counts.
 *
 * Node ids are stable paths, unique in a session's tree:
 *   summary, summary/<field>
 *   findings, findings/<i> (severity order), findings/<i>/msg/<k>, findings/<i>/evidence/<key>
 *   hs, hs/history, hs/history/<letter>, hs/steps, hs/steps/<i>, hs/timing, hs/timing/<name>, hs/<message>
 *   ch, ch/version, ch/random, ch/session_id, ch/suites, ch/suites/<i>, ch/compression,
 *   ch/ext, ch/ext/<i> (wire order), ch/ext/<i>/<k> (decoded values), ch/ext/<i>/hex/<k>, ch/fp, ch/fp/<name>
 *   hrr, hrr/group, hrr/suite, hrr/ext/<i>..., hrr/ch (the ClientHello after it: the ch/ scheme under hrr/ch)
 *   sh, sh/version, sh/selected_version, sh/random, sh/session_id, sh/suite, sh/compression, sh/ext/<i>..., sh/alpn, sh/group, sh/ja3s
 *   ee, ee/ext/<i>... (decrypted EncryptedExtensions)
 *   oc, oc/version, oc/cipher, oc/group, oc/alpn
 *   certs, certs/<i>, certs/<i>/<field>, certs/<i>/san/<k>, certs/chain, certs/chain/<k>
 *   ccerts, ccerts/<i>/...
 *   alerts, alerts/<i>; anomalies, anomalies/<i>; flags, flags/<name>; counts, counts/<side>
 *
 * Every string from the wire goes through safeText (finding messages, already
 * escaped, through safeMessage) before it is put in a label.
 */
import type { CertificateJson, ClientHelloJson, ExtensionJson, KeyShareJson, ServerHelloJson, Session } from '../core/model.js';
import { rawMessages, type RawMessage } from '../core/raw.js';
import { sessionStatus } from '../cli/render.js';
import {
  certificateCompressionName, cipherSuiteInfo, cipherSuiteName, compressionMethodName, ecPointFormatName, extensionName, groupName,
  isGrease, pskKeyExchangeModeName, signatureSchemeName, versionName,
} from '../registry/index.js';
import { safeMessage, safeText } from '../session/safe-text.js';
import { handshakeLayout, type FieldRange } from '../tls/layout.js';
import { EXT } from '../tls/extensions.js';
import { HRR_RANDOM } from '../tls/server_hello.js';
import { matchesHostname } from '../x509/hostname.js';
import { endpoint, statusColor, wrap, type Color, type Line, type Seg } from './format.js';

export interface HexRef {
  /** Index into rawMessages(s). */
  message: number;
  start: number;
  end: number;
}

export interface TreeNode {
  /** Stable path, unique in the tree, e.g. 'ch/ext/5'. */
  id: string;
  label: Line;
  children: TreeNode[];
  /** Expanded by default. */
  open?: boolean;
  hex?: HexRef;
}

export interface TreeRow {
  node: TreeNode;
  depth: number;
  open: boolean;
  hasChildren: boolean;
}

// ------------------------------------------------------------------ building blocks

const SEV_COLOR: Record<string, Color> = { high: 'red', medium: 'yellow', low: 'cyan', info: 'gray' };
const SEV_ORDER = ['high', 'medium', 'low', 'info'];

function seg(text: string, style: Omit<Seg, 'text'> = {}): Seg {
  return { text, ...style };
}
const dim = (text: string): Seg => ({ text, dim: true });
const head = (text: string): Seg => ({ text, bold: true, color: 'cyan' });
const GREASE_MARK: Seg = { text: ' [GREASE]', color: 'gray' };
const CHOSEN_MARK: Seg = { text: ' ◀ chosen', color: 'green', bold: true };

function node(id: string, label: Line, children: TreeNode[] = [], extra: { open?: boolean; hex?: HexRef | undefined } = {}): TreeNode {
  const n: TreeNode = { id, label, children };
  if (extra.open !== undefined) n.open = extra.open;
  if (extra.hex !== undefined) n.hex = extra.hex;
  return n;
}
function kv(id: string, k: string, v: string, style: Omit<Seg, 'text'> = {}, extra: { hex?: HexRef | undefined; children?: TreeNode[] } = {}): TreeNode {
  return node(id, [dim(`${k}: `), seg(v, style)], extra.children ?? [], { hex: extra.hex });
}
function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
function ms(n: number | null): string {
  if (n === null) return '-';
  return n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(1)} ms`;
}
/** A named number: 'x25519 (0x001d)', GREASE marked, the chosen one green and bold with a mark. */
function named(name: string, n: number, chosen: boolean, width = 4): Line {
  const line: Line = [seg(safeText(name), chosen ? { color: 'green', bold: true } : {}), dim(` (0x${n.toString(16).padStart(width, '0')})`)];
  if (isGrease(n)) line.push(GREASE_MARK);
  if (chosen) line.push(CHOSEN_MARK);
  return line;
}
function hexLines(id: string, hex: string): TreeNode[] {
  const out: TreeNode[] = [];
  for (let i = 0; i < hex.length; i += 64) out.push(node(`${id}/${i / 64}`, [seg(safeText(hex.slice(i, i + 64)), { color: 'gray' })]));
  return out;
}
function wrapped(id: string, text: string, width: number, style: Omit<Seg, 'text'> = {}): TreeNode[] {
  return wrap(text, width).map((l, k) => node(`${id}/${k}`, [seg(l, style)]));
}

// ------------------------------------------------------------------ raw messages and their layouts

interface Msg {
  index: number;
  map: Map<string, FieldRange>;
  length: number;
}

function flatten(list: FieldRange[], map: Map<string, FieldRange>): void {
  for (const r of list) {
    map.set(r.path, r);
    flatten(r.children, map);
  }
}

function msgOf(raw: readonly RawMessage[], index: number | undefined): Msg | undefined {
  if (index === undefined) return undefined;
  const m = raw[index];
  if (!m) return undefined;
  const map = new Map<string, FieldRange>();
  flatten(handshakeLayout(m.type, m.bytes), map);
  return { index, map, length: m.bytes.length };
}

/** The hex reference of a field of a message, when both are there. */
function ref(m: Msg | undefined, path: string): HexRef | undefined {
  if (!m) return undefined;
  if (path === '') return { message: m.index, start: 0, end: m.length };
  const r = m.map.get(path);
  return r ? { message: m.index, start: r.start, end: r.end } : undefined;
}

interface Raws {
  ch?: Msg;
  ch2?: Msg;
  hrr?: Msg;
  sh?: Msg;
  cert?: Msg;
  ccert?: Msg;
}

function isHrr(m: RawMessage): boolean {
  if (m.bytes.length < 38) return false;
  let h = '';
  for (let i = 6; i < 38; i++) h += (m.bytes[i] as number).toString(16).padStart(2, '0');
  return h === HRR_RANDOM;
}

function findRaws(s: Session): Raws {
  const raw = rawMessages(s);
  if (!raw || raw.length === 0) return {};
  const idx: { ch?: number; ch2?: number; hrr?: number; sh?: number; cert?: number; ccert?: number } = {};
  raw.forEach((m, i) => {
    if (m.from === 'client' && (m.type === 1 || m.type === -1)) {
      if (idx.ch === undefined) idx.ch = i;
      else idx.ch2 ??= i;
    } else if (m.from === 'server' && m.type === 2) {
      if (isHrr(m)) idx.hrr ??= i;
      else idx.sh ??= i;
    } else if (m.type === 11) {
      if (m.from === 'server') idx.cert ??= i;
      else idx.ccert ??= i;
    }
  });
  const out: Raws = {};
  for (const k of ['ch', 'ch2', 'hrr', 'sh', 'cert', 'ccert'] as const) {
    const m = msgOf(raw, idx[k]);
    if (m) out[k] = m;
  }
  return out;
}

// ------------------------------------------------------------------ what was chosen

interface Chosen {
  suite: number | null;
  version: number | null;
  group: number | null;
  alpn: string | null;
}

function chosenOf(s: Session): Chosen {
  const sh = s.server_hello;
  const group = sh?.key_share_group ?? s.server_key_exchange?.group ?? null;
  return { suite: sh ? sh.cipher_suite : s.cipher_suite, version: s.version, group, alpn: s.alpn };
}

// ------------------------------------------------------------------ extensions

type Kind = 'ch' | 'sh' | 'hrr' | 'ee';

function numberList(id: string, list: readonly number[], name: (n: number) => string, chosen: number | null = null): TreeNode[] {
  return list.map((n, k) => node(`${id}/${k}`, named(name(n), n, chosen !== null && n === chosen)));
}

/** Children showing an extension's decoded value (value shapes: src/tls/extensions.ts decodeValue). */
function extValue(id: string, e: ExtensionJson, kind: Kind, c: Chosen): TreeNode[] {
  const v = e.value;
  if (v === undefined) return e.hex ? hexLines(`${id}/hex`, e.hex) : [];
  const ch = kind === 'ch';
  switch (e.type) {
    case EXT.server_name: {
      const names = (v as { names?: { type: number; name: string }[] }).names;
      if (!names) return [node(`${id}/0`, [dim('(acknowledged)')])];
      return names.map((n, k) => kv(`${id}/${k}`, n.type === 0 ? 'host_name' : `name_type ${n.type}`, safeText(n.name), { bold: true }));
    }
    case EXT.supported_groups:
      return numberList(id, v as number[], groupName, c.group);
    case EXT.signature_algorithms:
    case EXT.signature_algorithms_cert:
    case EXT.delegated_credential:
      return numberList(id, v as number[], signatureSchemeName);
    case EXT.compress_certificate:
      return numberList(id, v as number[], certificateCompressionName);
    case EXT.ec_point_formats:
      return (v as number[]).map((n, k) => node(`${id}/${k}`, [seg(ecPointFormatName(n)), dim(` (${n})`)]));
    case EXT.psk_key_exchange_modes:
      return (v as number[]).map((n, k) => node(`${id}/${k}`, [seg(pskKeyExchangeModeName(n)), dim(` (${n})`)]));
    case EXT.alpn:
    case EXT.application_settings:
    case EXT.application_settings_old: {
      if (!Array.isArray(v)) return [kv(`${id}/0`, 'length', String((v as { length?: number }).length ?? '?'))];
      return (v as string[]).map((p, k) => {
        const hit = e.type === EXT.alpn && ch && c.alpn !== null && p === c.alpn;
        const line: Line = [seg(safeText(p), hit ? { color: 'green', bold: true } : {})];
        if (hit) line.push(CHOSEN_MARK);
        return node(`${id}/${k}`, line);
      });
    }
    case EXT.supported_versions:
      if (Array.isArray(v)) return numberList(id, v as number[], versionName, c.version);
      return [node(`${id}/0`, [dim('selected: '), ...named(versionName(v as number), v as number, true)])];
    case EXT.key_share:
    case EXT.key_share_old: {
      const share = (k: KeyShareJson | { group: number; group_name: string }, i: number): TreeNode => {
        const line = named(groupName(k.group), k.group, ch && c.group !== null && k.group === c.group);
        if ('key_length' in k) line.splice(2, 0, dim(`, key ${k.key_length} bytes`));
        return node(`${id}/${i}`, line);
      };
      if (Array.isArray(v)) return (v as KeyShareJson[]).map(share);
      const one = share(v as KeyShareJson, 0);
      if (kind === 'hrr') one.label.unshift(dim('selected group: '));
      return [one];
    }
    case EXT.pre_shared_key: {
      const p = v as { identities?: number; binders?: number; selected_identity?: number };
      if (p.selected_identity !== undefined) return [kv(`${id}/0`, 'selected identity', String(p.selected_identity))];
      return [kv(`${id}/0`, 'identities', String(p.identities ?? '?')), kv(`${id}/1`, 'binders', String(p.binders ?? '?'))];
    }
    case EXT.encrypted_client_hello: {
      if (!ch) return [kv(`${id}/0`, 'length', String((v as { length?: number }).length ?? '?'))];
      const x = v as { type: string; config_id?: number; kdf?: number; aead?: number; enc_length?: number; payload_length?: number };
      const out = [kv(`${id}/type`, 'type', x.type)];
      if (x.config_id !== undefined) out.push(kv(`${id}/config_id`, 'config_id', String(x.config_id)));
      if (x.kdf !== undefined) out.push(kv(`${id}/kdf`, 'kdf', hex4(x.kdf)));
      if (x.aead !== undefined) out.push(kv(`${id}/aead`, 'aead', hex4(x.aead)));
      if (x.enc_length !== undefined) out.push(kv(`${id}/enc`, 'enc', `${x.enc_length} bytes`));
      if (x.payload_length !== undefined) out.push(kv(`${id}/payload`, 'payload', `${x.payload_length} bytes`));
      return out;
    }
    case EXT.quic_transport_parameters:
    case EXT.quic_transport_parameters_draft:
      return ((v as { ids?: number[] }).ids ?? []).map((n, k) => node(`${id}/${k}`, [dim('parameter '), seg(`0x${n.toString(16)}`)]));
    default:
      break;
  }
  if (v === true) return [];
  if (typeof v === 'number') return [kv(`${id}/0`, 'value', String(v))];
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => kv(`${id}/${safeText(k)}`, safeText(k), safeText(String(typeof x === 'object' ? JSON.stringify(x) : x))));
  }
  return [node(`${id}/0`, [seg(safeText(String(v)))])];
}

function extLabel(e: ExtensionJson): Line {
  const line: Line = [seg(safeText(e.grease ? 'GREASE' : e.name || extensionName(e.type))), dim(` (${e.type}) ${e.length} bytes`)];
  if (e.grease || isGrease(e.type)) line.push(GREASE_MARK);
  if (e.malformed) line.push(seg(' malformed', { color: 'red' }));
  return line;
}

function extensionsNode(id: string, details: readonly ExtensionJson[], kind: Kind, c: Chosen, m: Msg | undefined): TreeNode {
  const kids = details.map((e, i) => node(`${id}/${i}`, extLabel(e), extValue(`${id}/${i}`, e, kind, c), { hex: ref(m, `extensions/${i}`) }));
  return node(id, [dim('extensions: '), seg(`${details.length}`)], kids, { hex: ref(m, 'extensions') });
}

/** Hex ref of the data of the first extension of `type` (the one decoders apply). */
function extDataRef(m: Msg | undefined, details: readonly ExtensionJson[], type: number): HexRef | undefined {
  const i = details.findIndex((e) => e.type === type);
  return i < 0 ? undefined : ref(m, `extensions/${i}/data`);
}

// ------------------------------------------------------------------ hellos

function clientHelloNode(id: string, title: string, ch: ClientHelloJson, c: Chosen, m: Msg | undefined): TreeNode {
  const kids: TreeNode[] = [];
  kids.push(kv(`${id}/version`, 'legacy version', `${versionName(ch.version)} (${hex4(ch.version)})${ch.record_version !== undefined ? `  record ${hex4(ch.record_version)}` : ''}`, {}, { hex: ref(m, 'legacy_version') }));
  kids.push(kv(`${id}/random`, ch.sslv2 ? 'challenge' : 'random', safeText(ch.random), { color: 'gray' }, { hex: ref(m, ch.sslv2 ? 'challenge' : 'random') }));
  kids.push(kv(`${id}/session_id`, 'session id', ch.session_id === '' ? '(empty)' : `${ch.session_id.length / 2} bytes ${safeText(ch.session_id)}`, {}, { hex: ref(m, 'session_id') }));
  const g = ch.cipher_suites.filter(isGrease).length;
  const suites = ch.cipher_suites.map((n, i) => {
    const hit = c.suite !== null && n === c.suite;
    const line = named(cipherSuiteName(n), n, hit, n > 0xffff ? 6 : 4);
    const info = cipherSuiteInfo(n);
    if (info?.weak) line.push(seg(` weak: ${info.weakReasons.join(', ')}`, { color: 'yellow' }));
    if (info?.scsv) line.push(dim(' (signal)'));
    return node(`${id}/suites/${i}`, line, [], { hex: ref(m, `cipher_suites/${i}`) });
  });
  const chosenSuite = c.suite !== null && ch.cipher_suites.includes(c.suite);
  const suitesLabel: Line = [dim('cipher suites: '), seg(`${ch.cipher_suites.length - g} offered`)];
  if (g > 0) suitesLabel.push(seg(` (+${g} GREASE)`, { color: 'gray' }));
  if (chosenSuite && c.suite !== null) suitesLabel.push(dim(' · chosen '), seg(cipherSuiteName(c.suite), { color: 'green', bold: true }));
  kids.push(node(`${id}/suites`, suitesLabel, suites, { hex: ref(m, 'cipher_suites') }));
  kids.push(kv(`${id}/compression`, 'compression', ch.compression_methods.map((n) => `${compressionMethodName(n)} (${n})`).join(', ') || '-', {}, { hex: ref(m, 'compression_methods') }));
  if (!ch.sslv2) kids.push(extensionsNode(`${id}/ext`, ch.extension_details, 'ch', c, m));
  const fp: TreeNode[] = [];
  const fpw = (k: keyof ClientHelloJson, name: string): void => {
    const v = ch[k];
    if (typeof v !== 'string') return;
    const node1 = kv(`${id}/fp/${name}`, name, safeText(v.length > 80 ? `${v.slice(0, 77)}…` : v));
    if (v.length > 80) node1.children = hexWrap(`${id}/fp/${name}/full`, safeText(v));
    fp.push(node1);
  };
  fpw('ja3', 'JA3');
  fpw('ja3_full', 'JA3 full');
  fpw('ja4', 'JA4');
  fpw('ja4_r', 'JA4_r');
  fpw('ja4_o', 'JA4_o');
  fpw('ja4_ro', 'JA4_ro');
  if (fp.length > 0) kids.push(node(`${id}/fp`, [dim('fingerprints: '), seg(ch.ja4 ? safeText(ch.ja4) : `${fp.length}`)], fp));
  const label: Line = [head(title), dim(` ${ch.length} bytes${ch.sslv2 ? ', SSLv2 record format' : ''}`)];
  return node(id, label, kids, { open: true, hex: ref(m, '') });
}

/** Long strings cut in 64-character lines. */
function hexWrap(id: string, s: string): TreeNode[] {
  const cps = Array.from(s);
  const out: TreeNode[] = [];
  for (let i = 0; i < cps.length; i += 64) out.push(node(`${id}/${i / 64}`, [seg(cps.slice(i, i + 64).join(''), { color: 'gray' })]));
  return out;
}

function serverHelloNode(id: string, title: string, sh: ServerHelloJson, kind: 'sh' | 'hrr', c: Chosen, m: Msg | undefined, ch: ClientHelloJson | undefined): TreeNode {
  const kids: TreeNode[] = [];
  const hrr = kind === 'hrr';
  if (hrr && sh.key_share_group !== undefined) {
    kids.push(node(`${id}/group`, [dim('selected group: '), ...named(groupName(sh.key_share_group), sh.key_share_group, true)], [], { hex: extDataRef(m, sh.extension_details, sh.extensions.includes(EXT.key_share) ? EXT.key_share : EXT.key_share_old) }));
  }
  kids.push(kv(`${id}/version`, 'legacy version', `${versionName(sh.version)} (${hex4(sh.version)})`, {}, { hex: ref(m, 'legacy_version') }));
  if (sh.selected_version !== undefined) {
    kids.push(node(`${id}/selected_version`, [dim('selected version: '), ...named(versionName(sh.selected_version), sh.selected_version, !hrr)], [], { hex: extDataRef(m, sh.extension_details, EXT.supported_versions) }));
  }
  kids.push(kv(`${id}/random`, 'random', safeText(sh.random) + (sh.hello_retry_request ? ' (HelloRetryRequest)' : ''), { color: 'gray' }, { hex: ref(m, 'random') }));
  const echo = ch && sh.session_id !== '' && sh.session_id === ch.session_id;
  kids.push(kv(`${id}/session_id`, 'session id', sh.session_id === '' ? '(empty)' : `${sh.session_id.length / 2} bytes ${safeText(sh.session_id)}${echo ? ' (echo of the client\'s)' : ''}`, {}, { hex: ref(m, 'session_id') }));
  kids.push(node(`${id}/suite`, [dim('cipher suite: '), ...named(cipherSuiteName(sh.cipher_suite), sh.cipher_suite, false)], [], { hex: ref(m, 'cipher_suite') }));
  // the chosen suite is green without the mark (there is nothing to choose from here)
  const suiteSeg = kids[kids.length - 1]?.label[1];
  if (suiteSeg && !hrr) {
    suiteSeg.color = 'green';
    suiteSeg.bold = true;
  }
  kids.push(kv(`${id}/compression`, 'compression', `${compressionMethodName(sh.compression_method)} (${sh.compression_method})`, {}, { hex: ref(m, 'compression_method') }));
  kids.push(extensionsNode(`${id}/ext`, sh.extension_details, kind, c, m));
  if (sh.alpn !== undefined) kids.push(kv(`${id}/alpn`, 'ALPN', safeText(sh.alpn), { color: 'green', bold: true }, { hex: extDataRef(m, sh.extension_details, EXT.alpn) }));
  if (!hrr && sh.key_share_group !== undefined) kids.push(kv(`${id}/group`, 'key share group', `${groupName(sh.key_share_group)} (${hex4(sh.key_share_group)})`, { color: 'green', bold: true }, { hex: extDataRef(m, sh.extension_details, EXT.key_share) }));
  if (sh.pre_shared_key_identity !== undefined) kids.push(kv(`${id}/psk`, 'PSK identity', String(sh.pre_shared_key_identity)));
  if (sh.ja3s) kids.push(kv(`${id}/ja3s`, 'JA3S', safeText(sh.ja3s), {}, sh.ja3s_full ? { children: hexWrap(`${id}/ja3s/full`, safeText(sh.ja3s_full)) } : {}));
  return node(id, [head(title), dim(` ${sh.length} bytes`)], kids, { open: true, hex: ref(m, '') });
}

// ------------------------------------------------------------------ sections

function summaryNode(s: Session): TreeNode {
  const status = sessionStatus(s);
  const sni = s.server_name === null ? '(no SNI)' : safeText(s.server_name);
  const label: Line = [
    seg(safeText(status), { color: statusColor(status), bold: true }),
    seg(`  ${endpoint(s.client)} → ${endpoint(s.server)}  `, { bold: true }),
    seg(sni, { bold: true, color: 'white' }),
  ];
  // client, server and SNI are in the label
  const kids: TreeNode[] = [
    kv('summary/transport', 'transport', `${s.transport}/${s.protocol}${s.tunnel ? ` in ${safeText(s.tunnel)}` : ''}`),
    kv('summary/negotiated', 'negotiated', `${s.version_name ?? 'version -'} · ${s.cipher_suite_name ?? 'cipher -'} · ALPN ${s.alpn === null ? '-' : safeText(s.alpn)}`),
  ];
  const leaf = s.certificates[0];
  if (leaf) {
    const subject = leaf.subject_cn != null ? safeText(leaf.subject_cn) : leaf.subject ? safeText(leaf.subject) : '(no subject)';
    const trust = s.chain ? (s.chain.trusted ? 'trusted' : 'not trusted') : '';
    const host = s.chain?.hostname_matches === false ? ' · hostname MISMATCH' : '';
    kids.push(kv('summary/certificate', 'certificate', `${subject}${trust ? ` · ${trust}` : ''}${host}`, s.chain && (!s.chain.trusted || s.chain.hostname_matches === false) ? { color: 'yellow' } : {}));
  } else if (s.certificates_encrypted) kids.push(kv('summary/certificate', 'certificate', 'encrypted (TLS 1.3)', { dim: true }));
  if (s.starttls) kids.push(kv('summary/starttls', 'STARTTLS', safeText(s.starttls)));
  if (s.proxy) kids.push(kv('summary/proxy', 'proxy', `${safeText(s.proxy)}${s.proxy_target ? ` → ${safeText(s.proxy_target)}` : ''}`));
  if (s.resumed) kids.push(kv('summary/resumed', 'resumed', s.resumption ?? '?'));
  if (s.decrypted) kids.push(kv('summary/decrypted', 'decrypted', 'with logged TLS secrets', { color: 'cyan' }));
  kids.push(kv('summary/time', 'time', `${safeText(s.start_time)} (${((s.end_ts - s.start_ts) * 1000).toFixed(1)} ms)`));
  kids.push(kv('summary/id', 'session', `${safeText(s.id)}${s.handshake_index > 0 ? ` (handshake ${s.handshake_index + 1} in its stream)` : ''}`));
  if (s.server_plaintext !== undefined) kids.push(kv('summary/plaintext', 'server answered in plaintext', safeText(s.server_plaintext.slice(0, 64))));
  return node('summary', label, kids, { open: true });
}

function findingsNode(s: Session, width: number): TreeNode {
  const sorted = [...s.findings].sort((a, b) => SEV_ORDER.indexOf(a.severity) - SEV_ORDER.indexOf(b.severity));
  const kids = sorted.map((f, i) => {
    const id = `findings/${i}`;
    const msg = wrapped(`${id}/msg`, safeMessage(f.message), width - 8);
    const ev = Object.entries(f.evidence);
    if (ev.length > 0) {
      msg.push(node(`${id}/evidence`, [dim(`evidence (${ev.length})`)], ev.map(([k, v]) => {
        const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
        return kv(`${id}/evidence/${safeText(k)}`, safeText(k), safeText(text.length > 200 ? `${text.slice(0, 199)}…` : text));
      })));
    }
    return node(id, [seg(f.severity.toUpperCase().padEnd(6), { color: SEV_COLOR[f.severity] ?? 'white', bold: f.severity === 'high' }), seg(` ${safeText(f.code)}`, { bold: true }), dim(f.inferred ? ' (inferred)' : '')], msg, { open: true });
  });
  if (kids.length === 0) kids.push(node('findings/none', [dim('none')]));
  return node('findings', [head(`Findings (${s.findings.length})`)], kids, { open: true });
}

/** The handshake history letters (README "Handshake history letters"): upper case from the client, lower case from the server. */
const HISTORY_LETTERS: Record<string, string> = {
  C: 'client_hello', S: 'server_hello', J: 'hello_retry_request', H: 'hello_request', X: 'certificate', K: 'server_key_exchange',
  R: 'certificate_request', N: 'server_hello_done', Y: 'certificate_verify', G: 'client_key_exchange', T: 'new_session_ticket',
  U: 'certificate_status (OCSP staple)', O: 'encrypted_extensions', F: 'finished (or the first encrypted handshake record)',
  E: 'TLS 1.3 encrypted handshake flight', I: 'change_cipher_spec', D: 'first application data', L: 'plaintext alert',
  Q: 'encrypted alert', B: 'heartbeat', V: 'hello_verify_request', W: 'certificate_url', A: 'supplemental_data', P: 'key_update',
  M: 'message_hash', Z: 'other handshake message', '!': 'parsing of that direction stopped (gap or violation)',
};

function handshakeNode(s: Session): TreeNode {
  const kids: TreeNode[] = [];
  const legend: TreeNode[] = [];
  const seen = new Set<string>();
  for (const ch of s.history) {
    if (seen.has(ch)) continue;
    seen.add(ch);
    const what = HISTORY_LETTERS[ch.toUpperCase()];
    const who = ch === '!' ? '' : ch === ch.toUpperCase() ? ' (client)' : ' (server)';
    legend.push(node(`hs/history/${safeText(ch)}`, [seg(safeText(ch), { bold: true, color: ch === ch.toUpperCase() ? 'blue' : 'magenta' }), dim(`  ${what ?? '?'}${who}`)]));
  }
  kids.push(node('hs/history', [dim('history: '), seg(s.history ? safeText(s.history) : '-', { bold: true })], legend));
  kids.push(node('hs/steps', [dim('steps: '), seg(String(s.steps.length))], s.steps.map((st, i) => node(`hs/steps/${i}`, [
    dim(`${st.t_ms.toFixed(3).padStart(9)} ms  `),
    seg(st.from.padEnd(8), { color: st.from === 'client' ? 'blue' : 'magenta' }),
    seg(safeText(st.step)),
    dim(`  #${st.frame}`),
  ])), { open: true }));
  const t = s.timing;
  const timing = [
    kv('hs/timing/tcp_rtt', 'tcp rtt', ms(t.tcp_rtt_ms)),
    kv('hs/timing/ch_sh', 'ClientHello → ServerHello', ms(t.client_hello_to_server_hello_ms)),
  ];
  if (t.hello_retry_extra_ms !== null) timing.push(kv('hs/timing/hrr', 'HelloRetryRequest extra', `+${ms(t.hello_retry_extra_ms)}`, { color: 'yellow' }));
  timing.push(kv('hs/timing/handshake', 'handshake', ms(t.handshake_ms)));
  timing.push(kv('hs/timing/first_app_data', 'first application data', ms(t.first_application_data_ms)));
  kids.push(node('hs/timing', [dim('timing: '), seg(`handshake ${ms(t.handshake_ms)}`)], timing, { open: true }));
  if (s.client_hello_segments > 1) kids.push(kv('hs/ch_segments', 'ClientHello segments', String(s.client_hello_segments), { color: 'yellow' }));
  if (s.server_key_exchange) {
    const k = s.server_key_exchange;
    kids.push(kv('hs/server_key_exchange', 'server key exchange', `${k.group !== undefined ? `${groupName(k.group)} (${hex4(k.group)})` : k.dh_bits !== undefined ? `DH ${k.dh_bits} bits` : '?'} · ${k.length} bytes`));
  }
  if (s.client_key_exchange_length !== undefined) kids.push(kv('hs/client_key_exchange', 'client key exchange', `${s.client_key_exchange_length} bytes`));
  if (s.client_certificate_requested) kids.push(kv('hs/certificate_request', 'client certificate', 'requested', { color: 'yellow' }));
  if (s.new_session_ticket) kids.push(kv('hs/new_session_ticket', 'new session ticket', `lifetime ${s.new_session_ticket.lifetime_hint} s · ${s.new_session_ticket.length} bytes`));
  if (s.ocsp) kids.push(kv('hs/ocsp', 'OCSP staple', safeText(String(s.ocsp.status ?? s.ocsp.response_status ?? 'present'))));
  return node('hs', [head('Handshake'), dim(`  ${s.client_hellos} ClientHello, ${s.server_hellos} ServerHello`)], kids, { open: true });
}

function offeredNode(s: Session, c: Chosen): TreeNode | undefined {
  const ch = s.client_hello_retry ?? s.client_hello;
  if (!ch) return undefined;
  const kids: TreeNode[] = [];
  const pick = (v: string | null): Seg => (v === null ? seg('none', { color: 'red' }) : seg(v, { color: 'green', bold: true }));
  const real = (l: readonly number[]): number[] => l.filter((n) => !isGrease(n));
  const short = (l: string[], max = 6): string => (l.length === 0 ? '-' : l.slice(0, max).join(', ') + (l.length > max ? `, … (+${l.length - max})` : ''));
  const versions = ch.supported_versions.length > 0 ? real(ch.supported_versions).map(versionName) : [`${versionName(ch.version)} (legacy)`];
  kids.push(node('oc/version', [dim('version: '), seg(short(versions)), dim(' → '), pick(c.version !== null ? versionName(c.version) : null)]));
  const suites = real(ch.cipher_suites);
  const offered = c.suite !== null && ch.cipher_suites.includes(c.suite);
  kids.push(node('oc/cipher', [dim('cipher: '), seg(`${suites.length} offered`), dim(' → '), pick(c.suite !== null ? cipherSuiteName(c.suite) : null), ...(c.suite !== null && !offered ? [seg(' (not in the offer!)', { color: 'red' })] : [])]));
  if (ch.supported_groups.length > 0 || c.group !== null) {
    const shares = ch.key_shares.filter((k) => !isGrease(k.group)).map((k) => k.group_name);
    kids.push(node('oc/group', [dim('group: '), seg(short(real(ch.supported_groups).map(groupName))), dim(shares.length ? ` (key shares ${shares.join(', ')})` : ''), dim(' → '), pick(c.group !== null ? groupName(c.group) : null)]));
  }
  if (ch.alpn.length > 0 || c.alpn !== null) {
    kids.push(node('oc/alpn', [dim('ALPN: '), seg(short(ch.alpn.map(safeText))), dim(' → '), pick(c.alpn !== null ? safeText(c.alpn) : null)]));
  }
  return node('oc', [head('Offered vs chosen')], kids, { open: true });
}

type Validity = 'valid' | 'expired' | 'not_yet_valid' | 'unknown';

function days(ms: number): string {
  const d = Math.abs(ms) / 86_400_000;
  return d < 1 ? `${(d * 24).toFixed(1)} hours` : `${Math.round(d)} days`;
}

/** '2026-01-01 → 2027-01-01', and where the capture time falls. */
function validityNode(id: string, c: CertificateJson, v: Validity | undefined, captureMs: number): TreeNode {
  const nb = c.not_before ? Date.parse(c.not_before) : NaN;
  const na = c.not_after ? Date.parse(c.not_after) : NaN;
  let rel = '';
  if (!Number.isNaN(na) && captureMs > na) rel = `expired ${days(captureMs - na)} before the capture`;
  else if (!Number.isNaN(nb) && captureMs < nb) rel = `valid only ${days(nb - captureMs)} after the capture`;
  else if (!Number.isNaN(na)) rel = `expires ${days(na - captureMs)} after the capture`;
  const status = v ?? 'unknown';
  const color: Color = status === 'valid' ? 'green' : status === 'unknown' ? 'gray' : 'red';
  return node(id, [
    dim('valid: '),
    seg(`${safeText((c.not_before ?? '?').slice(0, 10))} → ${safeText((c.not_after ?? '?').slice(0, 10))}`),
    seg(`  at capture: ${status}`, { color, bold: status !== 'valid' }),
    dim(rel ? ` (${rel})` : ''),
  ]);
}

function sanMatch(name: string, ip: boolean, sni: string | null): boolean {
  if (sni === null) return false;
  const cert: CertificateJson = { sha256: '', der: '', length: 0, san: { dns: ip ? [] : [name], ip: ip ? [name] : [], email: [], uri: [] } };
  return matchesHostname(cert, sni);
}

function certNode(id: string, c: CertificateJson, i: number, validity: Validity | undefined, s: Session, m: Msg | undefined, sniFor: string | null): TreeNode {
  const cn = c.subject_cn != null ? safeText(c.subject_cn) : c.subject ? safeText(c.subject) : '(no subject)';
  const issuer = c.issuer_cn != null ? safeText(c.issuer_cn) : c.issuer ? safeText(c.issuer) : '?';
  const kids: TreeNode[] = [];
  if (c.subject) kids.push(kv(`${id}/subject`, 'subject', safeText(c.subject)));
  kids.push(kv(`${id}/issuer`, 'issuer', c.issuer ? safeText(c.issuer) : issuer));
  if (c.not_before || c.not_after) kids.push(validityNode(`${id}/validity`, c, validity, s.start_ts * 1000));
  if (c.san) {
    const names = [...c.san.dns.map((n) => ({ n, ip: false, k: 'DNS' })), ...c.san.ip.map((n) => ({ n, ip: true, k: 'IP' })), ...c.san.email.map((n) => ({ n, ip: false, k: 'email' })), ...c.san.uri.map((n) => ({ n, ip: false, k: 'URI' }))];
    if (names.length > 0) {
      let matched = false;
      const sans = names.map((x, k) => {
        const hit = (x.k === 'DNS' || x.k === 'IP') && sanMatch(x.n, x.ip, sniFor);
        matched ||= hit;
        const line: Line = [dim(`${x.k}: `), seg(safeText(x.n), hit ? { color: 'green', bold: true } : {})];
        if (hit) line.push(seg(' ✓ matches SNI', { color: 'green' }));
        return node(`${id}/san/${k}`, line);
      });
      const lab: Line = [dim('SAN: '), seg(`${names.length} name${names.length === 1 ? '' : 's'}`)];
      if (sniFor !== null && i === 0) lab.push(matched ? seg(' · SNI matches', { color: 'green' }) : seg(' · no SAN matches the SNI', { color: 'red' }));
      kids.push(node(`${id}/san`, lab, sans, { open: i === 0 && names.length <= 8 }));
    }
  }
  const key = c.public_key ? `${safeText(c.public_key.type)}${c.public_key.bits ? ` ${c.public_key.bits} bits` : ''}${c.public_key.curve ? ` ${safeText(c.public_key.curve)}` : ''}` : null;
  if (key) kids.push(kv(`${id}/key`, 'key', key));
  if (c.signature_algorithm) kids.push(kv(`${id}/signature`, 'signature', safeText(c.signature_algorithm)));
  if (c.serial) kids.push(kv(`${id}/serial`, 'serial', safeText(c.serial)));
  if (c.basic_constraints) kids.push(kv(`${id}/basic_constraints`, 'basic constraints', `CA ${c.basic_constraints.ca}${c.basic_constraints.path_length !== undefined ? `, path length ${c.basic_constraints.path_length}` : ''}`));
  if (c.key_usage?.length) kids.push(kv(`${id}/key_usage`, 'key usage', c.key_usage.map(safeText).join(', ')));
  if (c.extended_key_usage?.length) kids.push(kv(`${id}/eku`, 'extended key usage', c.extended_key_usage.map(safeText).join(', ')));
  if (c.sct_count) kids.push(kv(`${id}/sct`, 'SCTs', String(c.sct_count)));
  if (c.ocsp_must_staple) kids.push(kv(`${id}/must_staple`, 'OCSP must-staple', 'yes'));
  kids.push(kv(`${id}/sha256`, 'sha256', safeText(c.sha256), { color: 'gray' }));
  if (c.parse_error) kids.push(kv(`${id}/parse_error`, 'parse error', safeText(c.parse_error), { color: 'red' }));
  const v = validity;
  const label: Line = [dim(`[${i}] `), seg(cn, { bold: true }), dim(` ← ${issuer}`)];
  if (c.self_signed) label.push(seg(' (self-signed)', { color: 'yellow' }));
  if (v && v !== 'valid') label.push(seg(` ${v}`, { color: v === 'unknown' ? 'gray' : 'red' }));
  return node(id, label, kids, { open: i === 0, hex: ref(m, `certificates/${i}`) });
}

function certsNode(s: Session, m: Msg | undefined): TreeNode {
  const kids: TreeNode[] = [];
  if (s.certificates_encrypted) kids.push(node('certs/encrypted', [dim('encrypted (TLS 1.3): the server chain cannot be read passively')]));
  else if (s.certificates.length === 0) kids.push(node('certs/none', [dim('none seen')]));
  s.certificates.forEach((c, i) => kids.push(certNode(`certs/${i}`, c, i, s.chain?.validity_at_capture[i], s, m, s.server_name)));
  if (s.chain) {
    const ch = s.chain;
    const v: TreeNode[] = [];
    v.push(node('certs/chain/trust', ch.trusted
      ? [seg('trusted', { color: 'green', bold: true }), dim(ch.anchor ? ` anchor ${safeText(ch.anchor)}` : '')]
      : [seg('not trusted', { color: 'red', bold: true })]));
    v.push(node('certs/chain/order', ch.ordered ? [seg('ordered')] : [seg('out of order', { color: 'yellow' })]));
    v.push(node('certs/chain/hostname', ch.hostname_matches === null ? [dim('no SNI to check')] : ch.hostname_matches ? [seg('hostname matches the SNI', { color: 'green' })] : [seg('hostname MISMATCH', { color: 'red', bold: true })]));
    if (ch.self_signed) v.push(node('certs/chain/self_signed', [seg('self-signed', { color: 'yellow' })]));
    if (ch.incomplete) v.push(node('certs/chain/incomplete', [seg(`incomplete: missing ${ch.missing_issuer ? safeText(ch.missing_issuer) : 'issuer'}`, { color: 'yellow' })]));
    ch.link_errors.forEach((e, k) => v.push(node(`certs/chain/link/${k}`, [seg(`link ${e.index}: ${safeText(e.reason)}`, { color: 'yellow' })])));
    ch.weak.forEach((w, k) => v.push(node(`certs/chain/weak/${k}`, [seg(`weak [${w.index}]: ${safeText(w.what)}`, { color: 'yellow' })])));
    const lab: Line = [dim('chain: '), ch.trusted ? seg('trusted', { color: 'green' }) : seg('not trusted', { color: 'red' })];
    if (ch.hostname_matches === false) lab.push(seg(' · hostname mismatch', { color: 'red' }));
    if (ch.incomplete) lab.push(seg(' · incomplete', { color: 'yellow' }));
    kids.push(node('certs/chain', lab, v, { open: true }));
  }
  return node('certs', [head(`Certificates (${s.certificates.length})`)], kids, { open: true, hex: ref(m, '') });
}

function alertsNode(s: Session): TreeNode {
  const kids = s.alerts.map((a, i) => {
    const what = a.encrypted ? `encrypted alert${a.inferred ? ' (inferred from size)' : ''}` : `${safeText(a.level_name ?? '?')} ${safeText(a.name ?? '?')} (${a.description ?? '?'})`;
    return node(`alerts/${i}`, [
      seg(a.from.padEnd(8), { color: a.from === 'client' ? 'blue' : 'magenta' }),
      seg(what, a.level === 2 ? { color: 'red' } : {}),
      dim(a.after ? `  after ${safeText(a.after)}` : ''),
    ]);
  });
  if (kids.length === 0) kids.push(node('alerts/none', [dim('none')]));
  return node('alerts', [head(`Alerts (${s.alerts.length})`)], kids, { open: s.alerts.length > 0 });
}

function anomaliesNode(s: Session): TreeNode {
  const kids = s.anomalies.map((a, i) => node(`anomalies/${i}`, [seg(safeText(a.code), { color: 'yellow' }), dim(` (${safeText(a.layer)}${a.packet !== undefined ? `, frame ${a.packet}` : ''})${a.detail ? ` ${safeText(a.detail)}` : ''}`)]));
  if (kids.length === 0) kids.push(node('anomalies/none', [dim('none')]));
  return node('anomalies', [head(`Anomalies (${s.anomalies.length})`)], kids, { open: s.anomalies.length > 0 });
}

function flagsNode(s: Session): TreeNode {
  const f = s.flags;
  const list: [string, string | false | null][] = [
    ['midstream', f.midstream && 'capture started mid-stream'],
    ['gap', f.gap && 'bytes missing (gap)'],
    ['truncated', f.truncated && 'truncated'],
    ['client_hello_seen', !f.client_hello_seen && 'no ClientHello seen'],
    ['server_hello_seen', !f.server_hello_seen && 'no ServerHello seen'],
    ['closed_by', f.closed_by && `closed by ${f.closed_by}`],
    ['reset_by', f.reset_by && `reset by ${f.reset_by}`],
    ['fin_by', f.fin_by && `first FIN from ${f.fin_by}`],
  ];
  const kids = list.filter((x): x is [string, string] => typeof x[1] === 'string').map(([k, v]) => node(`flags/${k}`, [seg(v)]));
  const label: Line = [head('Flags'), dim(`  ${kids.map((k) => k.label[0]?.text ?? '').join(' · ') || 'none'}`)];
  return node('flags', label, kids);
}

function countsNode(s: Session): TreeNode {
  const side = (k: 'client' | 'server'): TreeNode => {
    const c = s.counts[k];
    return node(`counts/${k}`, [
      seg(k.padEnd(8), { color: k === 'client' ? 'blue' : 'magenta' }),
      seg(`${c.records} records, ${c.bytes} bytes`),
      dim(` · handshake ${c.handshake_records} · app data ${c.application_data_records} (${c.application_data_bytes} bytes) · alerts ${c.alerts} · ccs ${c.change_cipher_spec}${c.heartbeat ? ` · heartbeat ${c.heartbeat}` : ''}`),
    ]);
  };
  return node('counts', [head('Counts'), dim(`  ${s.counts.client.records + s.counts.server.records} records`)], [side('client'), side('server')]);
}

// ------------------------------------------------------------------ the tree

function build(s: Session, width: number): TreeNode[] {
  const raws = findRaws(s);
  const c = chosenOf(s);
  const out: TreeNode[] = [summaryNode(s), findingsNode(s, width), handshakeNode(s)];
  if (s.client_hello) out.push(clientHelloNode('ch', 'ClientHello', s.client_hello, c, raws.ch));
  else out.push(node('ch', [head('ClientHello'), dim('  not seen')]));
  if (s.hello_retry_request) {
    const hrr = serverHelloNode('hrr', 'HelloRetryRequest', s.hello_retry_request, 'hrr', c, raws.hrr, s.client_hello);
    if (s.client_hello_retry) hrr.children.push(clientHelloNode('hrr/ch', 'ClientHello (retry)', s.client_hello_retry, c, raws.ch2));
    out.push(hrr);
  }
  if (s.server_hello) out.push(serverHelloNode('sh', 'ServerHello', s.server_hello, 'sh', c, raws.sh, s.client_hello_retry ?? s.client_hello));
  if (s.encrypted_extensions) {
    const ee = s.encrypted_extensions;
    out.push(node('ee', [head('EncryptedExtensions'), dim(` ${ee.length} bytes (decrypted)`)], [extensionsNode('ee/ext', ee.extension_details, 'ee', c, undefined)]));
  }
  const oc = offeredNode(s, c);
  if (oc) out.push(oc);
  out.push(certsNode(s, raws.cert));
  if (s.client_certificates.length > 0) {
    const kids = s.client_certificates.map((cc, i) => certNode(`ccerts/${i}`, cc, i, undefined, s, raws.ccert, null));
    out.push(node('ccerts', [head(`Client certificates (${s.client_certificates.length})`)], kids, { hex: ref(raws.ccert, '') }));
  }
  out.push(alertsNode(s), anomaliesNode(s), flagsNode(s), countsNode(s));
  return out;
}

interface Memo {
  raw: readonly RawMessage[] | undefined;
  byWidth: Map<number, TreeNode[]>;
}
const memo = new WeakMap<Session, Memo>();

/**
 * The detail tree of one session for a pane `width` columns wide. Nodes of
 * fields that are in a raw message (rawMessages(s), kept by analyze's
 * keepRaw) carry a hex reference. Memoised per (session, width); rebuilt when
 * the raw messages attached to the session change.
 */
export function sessionTree(s: Session, width: number): TreeNode[] {
  const raw = rawMessages(s);
  let m = memo.get(s);
  if (!m || m.raw !== raw) {
    m = { raw, byWidth: new Map() };
    memo.set(s, m);
  }
  let t = m.byWidth.get(width);
  if (!t) {
    t = build(s, width);
    if (m.byWidth.size >= 8) m.byWidth.clear();
    m.byWidth.set(width, t);
  }
  return t;
}

/** Rows on screen given the set of ids whose open state was toggled by the user (open = (node.open ?? false) XOR toggled.has(id)). */
export function treeRows(nodes: readonly TreeNode[], toggled: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (list: readonly TreeNode[], depth: number): void => {
    for (const n of list) {
      const hasChildren = n.children.length > 0;
      const open = hasChildren && (n.open ?? false) !== toggled.has(n.id);
      rows.push({ node: n, depth, open, hasChildren });
      if (open) walk(n.children, depth + 1);
    }
  };
  walk(nodes, 0);
  return rows;
}

/** The row's text as a Line: indentation, ▸/▾ marker, label. */
export function treeRowLine(r: TreeRow): Line {
  const marker = r.hasChildren ? (r.open ? '▾ ' : '▸ ') : '  ';
  return [{ text: '  '.repeat(r.depth) + marker, color: 'gray' }, ...r.node.label.filter((x) => x.text !== '')];
}
