/**
 * Pure text for the terminal UI: list columns and the detail pane's lines.
 * Every string from the wire goes through safeText (or safeMessage for
 * finding messages, which are escaped already) here, before it is drawn.
 */
import type { CertificateJson, Session } from '../core/model.js';
import { sessionStatus } from '../cli/render.js';
import { safeMessage, safeText } from '../session/safe-text.js';
import { groupName, isGrease, versionName } from '../registry/index.js';

export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'magenta' | 'gray' | 'blue' | 'white';

export interface Seg {
  text: string;
  color?: Color;
  bold?: boolean;
  dim?: boolean;
  /** Reverse video (the hex view's highlighted bytes, the tree's selected row). */
  inverse?: boolean;
  underline?: boolean;
}
export type Line = Seg[];

// ------------------------------------------------------------------ list

export type ColumnKey = 'time' | 'client' | 'server' | 'sni' | 'version' | 'cipher' | 'alpn' | 'status' | 'findings';

export interface Column {
  key: ColumnKey;
  title: string;
  width: number;
}

/** Left to right; lower `prio` columns are kept first when the terminal is narrow. */
const COLS: { key: ColumnKey; title: string; width: number; prio: number }[] = [
  { key: 'time', title: 'TIME', width: 12, prio: 1 },
  { key: 'client', title: 'CLIENT', width: 21, prio: 3 },
  { key: 'server', title: 'SERVER', width: 21, prio: 1 },
  { key: 'sni', title: 'SNI', width: 12, prio: 1 },
  { key: 'version', title: 'VER', width: 6, prio: 2 },
  { key: 'cipher', title: 'CIPHER', width: 20, prio: 4 },
  { key: 'alpn', title: 'ALPN', width: 8, prio: 5 },
  { key: 'status', title: 'STATUS', width: 16, prio: 1 },
  { key: 'findings', title: 'FINDINGS', width: 8, prio: 2 },
];

const SNI_MAX = 40;

/** The columns that fit `width` (one space between columns); SNI takes what is left. */
export function columns(width: number): Column[] {
  const chosen = new Set<ColumnKey>();
  const used = (): number => COLS.filter((c) => chosen.has(c.key)).reduce((n, c) => n + c.width + 1, 0);
  for (const prio of [1, 2, 3, 4, 5]) {
    // a column of a lower priority is never shown when one of a higher priority did not fit
    if (COLS.some((c) => c.prio < prio && !chosen.has(c.key))) break;
    for (const c of COLS.filter((x) => x.prio === prio)) {
      chosen.add(c.key);
      // the client, cipher and ALPN only when the SNI and the status can still have a comfortable width
      const extra = prio >= 3 ? 12 : 0;
      if (used() + extra > width && prio > 1) chosen.delete(c.key);
    }
  }
  const cols = COLS.filter((c) => chosen.has(c.key)).map((c) => ({ key: c.key, title: c.title, width: c.width }));
  let spare = width - used();
  const sni = cols.find((c) => c.key === 'sni') as Column;
  // share what is left: SNI to 20, the status to its longest words (FAILED:protocol_version_mismatch), SNI to 28, then the SNI
  const st = cols.find((c) => c.key === 'status') as Column;
  const grow = (c: Column, to: number): void => {
    const more = Math.max(0, Math.min(spare, to - c.width));
    c.width += more;
    spare -= more;
  };
  grow(sni, 20);
  grow(st, 32);
  grow(sni, 28);
  grow(sni, SNI_MAX);
  if (spare > 0) sni.width += spare;
  // narrower than the minimum: shrink the SNI and the status so the row still fits
  if (spare < 0) {
    sni.width = Math.max(6, sni.width + spare);
    const over = cols.reduce((n, c) => n + c.width + 1, 0) - width;
    if (over > 0) {
      st.width = Math.max(6, st.width - over);
    }
  }
  return cols;
}

export function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' -> 'ECDHE-RSA-AES128-GCM-SHA256'. */
export function shortCipher(name: string | null): string {
  if (!name) return '-';
  return name
    .replace(/^TLS_/, '')
    .replace(/_WITH_/, '_')
    .replace(/(AES|CAMELLIA|ARIA)_(\d+)/g, '$1$2')
    .replace(/CHACHA20_POLY1305/, 'CHACHA20-POLY1305')
    .replace(/_/g, '-');
}

export function shortVersion(name: string | null): string {
  if (!name) return '-';
  return name.replace(/^(TLS|SSL|DTLS) /, '$1');
}

const SEV_SHORT: Record<string, string> = { high: 'high', medium: 'med', low: 'low', info: 'info' };
const SEV_ORDER = ['info', 'low', 'medium', 'high'];

/** Number of findings and the worst severity: '2 high', '-' for none. */
export function findingsCell(s: Session): string {
  if (s.findings.length === 0) return '-';
  let worst = 0;
  for (const f of s.findings) worst = Math.max(worst, SEV_ORDER.indexOf(f.severity));
  return `${s.findings.length} ${SEV_SHORT[SEV_ORDER[worst] as string]}`;
}

/** Colour of a findings cell by its worst severity. */
export function findingsColor(text: string): Color | undefined {
  if (text.endsWith('high')) return 'red';
  if (text.endsWith('med')) return 'yellow';
  if (text.endsWith('low')) return 'cyan';
  return undefined;
}

export function statusColor(status: string): Color {
  if (status.startsWith('ok')) return 'green';
  if (status.startsWith('FAILED')) return 'red';
  return 'yellow';
}

/** The text of one list cell (already safe to draw). */
export function cell(s: Session, key: ColumnKey): string {
  switch (key) {
    case 'time':
      return s.start_time.slice(11, 23);
    case 'client':
      return endpoint(s.client);
    case 'findings':
      return findingsCell(s);
    case 'server':
      return endpoint(s.server);
    case 'sni':
      return s.server_name === null ? '-' : safeText(s.server_name);
    case 'version':
      return shortVersion(s.version_name);
    case 'cipher':
      return shortCipher(s.cipher_suite_name);
    case 'alpn':
      return s.alpn === null ? '-' : safeText(s.alpn);
    case 'status':
      return safeText(sessionStatus(s));
  }
}

// ------------------------------------------------------------------ detail

const SEV_COLOR: Record<string, Color> = { high: 'red', medium: 'yellow', low: 'cyan', info: 'gray' };

/** Word-wrap plain text to `width` columns (by code points), continuation lines indented. */
export function wrap(text: string, width: number, indent = 0): string[] {
  const w = Math.max(10, width);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const cand = line === '' ? word : `${line} ${word}`;
    const lim = out.length === 0 ? w : w - indent;
    if (Array.from(cand).length <= lim || line === '') {
      line = cand;
      // a single word longer than the line: hard-cut it
      while (Array.from(line).length > lim) {
        const cps = Array.from(line);
        out.push(cps.slice(0, lim).join(''));
        line = cps.slice(lim).join('');
      }
    } else {
      out.push(line);
      line = word;
    }
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out.map((l, i) => (i === 0 ? l : ' '.repeat(indent) + l));
}

function ms(n: number | null): string {
  if (n === null) return '-';
  return n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(1)} ms`;
}

function title(t: string): Line {
  return [{ text: t, bold: true, color: 'cyan' }];
}

function kv(k: string, v: string, color?: Color): Line {
  const seg: Seg = { text: v };
  if (color) seg.color = color;
  return [{ text: `  ${k}: `, dim: true }, seg];
}

function certLines(c: CertificateJson, i: number, validity: string | undefined, width: number): Line[] {
  const out: Line[] = [];
  const cn = c.subject_cn != null ? safeText(c.subject_cn) : c.subject ? safeText(c.subject) : '(no subject)';
  const issuer = c.issuer_cn != null ? safeText(c.issuer_cn) : c.issuer ? safeText(c.issuer) : '?';
  out.push([{ text: `  [${i}] `, dim: true }, { text: cn, bold: true }, { text: c.self_signed ? '  (self-signed)' : '' }]);
  out.push([{ text: '      issuer: ', dim: true }, { text: issuer }]);
  if (c.not_before || c.not_after) {
    const v = validity ?? 'unknown';
    out.push([
      { text: '      valid: ', dim: true },
      { text: `${(c.not_before ?? '?').slice(0, 10)} → ${(c.not_after ?? '?').slice(0, 10)}` },
      { text: `  at capture: ${v}`, color: v === 'valid' ? 'green' : v === 'unknown' ? 'gray' : 'red' },
    ]);
  }
  if (c.san) {
    const all = [...c.san.dns, ...c.san.ip, ...c.san.email, ...c.san.uri].map(safeText);
    if (all.length > 0) {
      const shown = all.slice(0, 8).join(', ') + (all.length > 8 ? `, … (+${all.length - 8})` : '');
      wrap(shown, width - 11, 11).forEach((l, k) => out.push(k === 0 ? [{ text: '      SAN: ', dim: true }, { text: l }] : [{ text: l }]));
    }
  }
  const key = c.public_key ? `${c.public_key.type}${c.public_key.bits ? ` ${c.public_key.bits}` : ''}${c.public_key.curve ? ` ${c.public_key.curve}` : ''}` : null;
  if (key || c.signature_algorithm) out.push([{ text: '      key: ', dim: true }, { text: `${key ?? '?'}${c.signature_algorithm ? `  sig: ${c.signature_algorithm}` : ''}` }]);
  if (c.parse_error) out.push([{ text: `      parse error: ${safeText(c.parse_error)}`, color: 'red' }]);
  return out;
}

function namesList(ns: readonly number[], name: (n: number) => string, max = 12): string {
  const real = ns.filter((n) => !isGrease(n));
  const g = ns.length - real.length;
  const shown = real.slice(0, max).map(name).join(', ') + (real.length > max ? `, … (+${real.length - max})` : '');
  return (shown || '-') + (g > 0 ? ` (+${g} GREASE)` : '');
}

/** All lines of the detail pane for one session, for a pane `width` columns wide. */
export function detailLines(s: Session, width: number): Line[] {
  const out: Line[] = [];
  const status = sessionStatus(s);
  const sni = s.server_name === null ? '(no SNI)' : safeText(s.server_name);
  out.push([
    { text: safeText(status), color: statusColor(status), bold: true },
    { text: `  ${endpoint(s.client)} → ${endpoint(s.server)}  `, bold: true },
    { text: sni, bold: true, color: 'white' },
    { text: `  ${s.transport}/${s.protocol}${s.starttls ? ` STARTTLS ${safeText(s.starttls)}` : ''}${s.proxy ? ` via ${safeText(s.proxy)}` : ''}` },
  ]);
  out.push([{ text: `  ${s.version_name ?? 'version -'}  ${s.cipher_suite_name ?? 'cipher -'}  ALPN ${s.alpn === null ? '-' : safeText(s.alpn)}${s.resumed ? `  resumed (${s.resumption ?? '?'})` : ''}`, dim: false }]);

  out.push(title(`Findings (${s.findings.length})`));
  if (s.findings.length === 0) out.push([{ text: '  none', dim: true }]);
  const sevOrder = ['high', 'medium', 'low', 'info'];
  const findings = [...s.findings].sort((a, b) => sevOrder.indexOf(a.severity) - sevOrder.indexOf(b.severity));
  for (const f of findings) {
    const head = `  ${f.severity.toUpperCase().padEnd(6)} ${safeText(f.code)}${f.inferred ? ' (inferred)' : ''}`;
    out.push([{ text: head, color: SEV_COLOR[f.severity] ?? 'white', bold: f.severity === 'high' }]);
    for (const l of wrap(safeMessage(f.message), width - 9)) out.push([{ text: `         ${l}` }]);
  }

  out.push(title('Handshake'));
  out.push(kv('history', s.history ? safeText(s.history) : '-'));
  for (const st of s.steps) {
    out.push([
      { text: `  ${st.t_ms.toFixed(3).padStart(9)} ms  `, dim: true },
      { text: st.from.padEnd(8), color: st.from === 'client' ? 'blue' : 'magenta' },
      { text: safeText(st.step) },
      { text: `  #${st.frame}`, dim: true },
    ]);
  }
  const t = s.timing;
  out.push(kv('timing', `tcp rtt ${ms(t.tcp_rtt_ms)} · CH→SH ${ms(t.client_hello_to_server_hello_ms)}${t.hello_retry_extra_ms !== null ? ` · HRR +${ms(t.hello_retry_extra_ms)}` : ''} · handshake ${ms(t.handshake_ms)} · first app data ${ms(t.first_application_data_ms)}`));

  out.push(title(`Certificates (${s.certificates.length})`));
  if (s.certificates_encrypted) out.push([{ text: '  encrypted (TLS 1.3): the server chain cannot be read passively', dim: true }]);
  else if (s.certificates.length === 0) out.push([{ text: '  none seen', dim: true }]);
  s.certificates.forEach((c, i) => out.push(...certLines(c, i, s.chain?.validity_at_capture[i], width)));
  if (s.chain) {
    const ch = s.chain;
    const verdict: Seg[] = [{ text: ch.trusted ? 'trusted' : 'not trusted', color: ch.trusted ? 'green' : 'red' }];
    if (ch.anchor) verdict.push({ text: ` (anchor ${safeText(ch.anchor)})` });
    verdict.push(ch.ordered ? { text: ' · ordered' } : { text: ' · out of order', color: 'yellow' });
    if (ch.hostname_matches === null) verdict.push({ text: ' · no SNI to check' });
    else verdict.push(ch.hostname_matches ? { text: ' · hostname matches', color: 'green' } : { text: ' · hostname MISMATCH', color: 'red' });
    if (ch.self_signed) verdict.push({ text: ' · self-signed', color: 'yellow' });
    if (ch.incomplete) verdict.push({ text: ` · incomplete (missing ${ch.missing_issuer ? safeText(ch.missing_issuer) : 'issuer'})`, color: 'yellow' });
    out.push([{ text: '  chain: ', dim: true }, ...verdict]);
    for (const e of ch.link_errors) out.push([{ text: `    link ${e.index}: ${safeText(e.reason)}`, color: 'yellow' }]);
    for (const w of ch.weak) out.push([{ text: `    weak [${w.index}]: ${safeText(w.what)}`, color: 'yellow' }]);
  }
  if (s.client_certificates.length > 0) {
    out.push(title(`Client certificates (${s.client_certificates.length})`));
    s.client_certificates.forEach((c, i) => out.push(...certLines(c, i, undefined, width)));
  }

  const ch = s.client_hello;
  out.push(title('ClientHello'));
  if (!ch) out.push([{ text: '  not seen', dim: true }]);
  else {
    const versions = ch.supported_versions.length > 0 ? namesList(ch.supported_versions, versionName) : `${ch.version_name} (legacy version, no supported_versions)`;
    out.push(kv('versions offered', versions));
    const greaseSuites = ch.cipher_suites.filter(isGrease).length;
    out.push(kv('cipher suites', `${ch.cipher_suites.length - greaseSuites} offered${greaseSuites ? ` (+${greaseSuites} GREASE)` : ''}, ${ch.extensions.length} extensions`));
    out.push(kv('groups', namesList(ch.supported_groups, groupName)));
    if (ch.key_shares.length > 0) out.push(kv('key shares', ch.key_shares.map((k) => k.group_name).join(', ')));
    out.push(kv('ALPN offered', ch.alpn.length > 0 ? ch.alpn.map(safeText).join(', ') : '-'));
    out.push(kv('SNI', ch.server_name === null ? '-' : safeText(ch.server_name)));
    out.push(kv('JA3', ch.ja3 ?? '-'));
    out.push(kv('JA4', ch.ja4 ?? '-'));
    if (ch.ech) out.push(kv('ECH', ch.ech.type));
  }
  const sh = s.server_hello;
  if (sh) {
    out.push(title(sh.hello_retry_request ? 'ServerHello (after HelloRetryRequest)' : 'ServerHello'));
    out.push(kv('chose', `${sh.selected_version !== undefined ? versionName(sh.selected_version) : sh.version_name} · ${sh.cipher_suite_name}${sh.alpn !== undefined ? ` · ALPN ${safeText(sh.alpn)}` : ''}${sh.key_share_group !== undefined ? ` · ${groupName(sh.key_share_group)}` : ''}`));
    if (sh.ja3s) out.push(kv('JA3S', sh.ja3s));
  }

  out.push(title(`Alerts (${s.alerts.length})`));
  if (s.alerts.length === 0) out.push([{ text: '  none', dim: true }]);
  for (const a of s.alerts) {
    const what = a.encrypted ? `encrypted alert${a.inferred ? ' (inferred from size)' : ''}` : `${a.level_name ?? '?'} ${a.name ?? '?'} (${a.description ?? '?'})`;
    out.push([
      { text: `  ${a.from.padEnd(8)}`, color: a.from === 'client' ? 'blue' : 'magenta' },
      { text: what, ...(a.level === 2 ? { color: 'red' as const } : {}) },
      { text: a.after ? `  after ${safeText(a.after)}` : '', dim: true },
    ]);
  }

  out.push(title(`Anomalies (${s.anomalies.length})`));
  if (s.anomalies.length === 0) out.push([{ text: '  none', dim: true }]);
  for (const a of s.anomalies) {
    out.push([{ text: `  ${safeText(a.code)}`, color: 'yellow' }, { text: ` (${safeText(a.layer)}${a.packet !== undefined ? `, frame ${a.packet}` : ''})${a.detail ? ` ${safeText(a.detail)}` : ''}`, dim: true }]);
  }
  const fl = s.flags;
  const flags = [fl.midstream && 'mid-stream', fl.gap && 'gap', fl.truncated && 'truncated', fl.closed_by && `closed by ${fl.closed_by}`, fl.reset_by && `reset by ${fl.reset_by}`].filter(Boolean).join(' · ');
  if (flags) out.push(kv('flags', flags));
  return out;
}
