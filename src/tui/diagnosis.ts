/**
 * The diagnosis view of the terminal UI: what `tlsscope diagnose` prints
 * (renderDiagnoseText), as coloured lines for a pane, each line that stands
 * for sessions carrying the filter that selects them:
 *
 * - a failure group (all its lines): `cause=<code>` and its server, exactly
 *   the group's sessions;
 * - a weakness: `finding=<code>` (plus `cause=""` for a failure code, which
 *   diagnose counts only on sessions that did not fail) and the server;
 * - a server heading of the weaknesses, a certificate: the server's sessions;
 * - a slowest handshake: `id=<id>`; a server name's timing: `sni=<name>`.
 *
 * "The server" is diagnose's server label: the SNI when known, else the
 * address, with the port when it is not 443. Its filter is built from the
 * sessions behind it: `sni=<name> server=<ip>:<port>` (the addresses listed
 * when there are few, else the port), `sni="" server=<ip>:<port>` without SNI.
 */
import type { Session } from '../core/model.js';
import type { Severity } from '../core/types.js';
import { diagnose, primaryCause } from '../session/diagnose.js';
import type { DiagnoseReport } from '../session/diagnose.js';
import { FINDING_CODES } from '../session/findings.js';
import { safeMessage, safeText } from '../session/safe-text.js';
import { quoteValue } from './filter.js';
import type { Color, Line, Seg } from './format.js';

export interface DiagLine {
  line: Line;
  /** filter that selects the sessions behind this line, null for headings/blank lines */
  filter: string | null;
}

const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high'];
const SEV_COLOR: Record<Severity, Color> = { high: 'red', medium: 'yellow', low: 'cyan', info: 'gray' };
/** More addresses than this behind one server name: the filter gives the port instead of listing them. */
const MAX_ADDRESSES = 4;

function ep(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * The sessions of one server name (or, without one, one address) and port:
 * the addresses they went to, in all and per failure cause.
 */
interface Entry {
  /** '' without SNI. */
  sni: string;
  port: number;
  /** diagnose's server label (src/session/diagnose.ts serverLabel). */
  label: string;
  ips: Set<string>;
  causes: Map<string, Set<string>>;
}

function labelOf(sni: string, ip: string, port: number): string {
  const host = sni !== '' ? sni : ip.includes(':') ? `[${ip}]` : ip;
  return port === 443 ? host : `${host}:${port}`;
}

/** A filter selecting exactly the sessions with one of these (SNI, port) pairs to one of their addresses. */
function targetFilter(parts: readonly { sni: string; port: number; ips: ReadonlySet<string> }[]): string {
  const out: string[] = [];
  for (const { sni, port, ips } of parts) {
    const name = `sni=${sni === '' ? '""' : quoteValue(sni)}`;
    // a name served from many addresses: its port instead (port>= and port<= compare the server port only)
    if (sni !== '' && ips.size > MAX_ADDRESSES) out.push(`${name} port>=${port} port<=${port}`);
    else out.push(`${name} server=${[...ips].map((ip) => quoteValue(ep(ip, port))).join('|')}`);
  }
  return out.length === 1 ? (out[0] as string) : `(${out.join(' or ')})`;
}

function isFailureCode(code: string): boolean {
  return (FINDING_CODES as Record<string, { category: string }>)[code]?.category === 'failure';
}

function fmtMs(v: number | null): string {
  return v === null ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
}

function lcFirst(t: string): string {
  return t.length > 1 && /^[A-Z][a-z]/.test(t) ? t.charAt(0).toLowerCase() + t.slice(1) : t;
}

/** Word-wrap `text`: the first line `first` code points wide, the others `rest`; a longer word is cut. */
function wrapTwo(text: string, first: number, rest: number): string[] {
  const out: string[] = [];
  let line: string[] = [];
  const lim = (): number => Math.max(8, out.length === 0 ? first : rest);
  for (const word of text.split(' ')) {
    const cps = Array.from(word);
    if (line.length > 0 && line.length + 1 + cps.length > lim()) {
      out.push(line.join(''));
      line = [];
    }
    if (line.length > 0) line.push(' ');
    line.push(...cps);
    for (let l = lim(); line.length > l; l = lim()) {
      out.push(line.slice(0, l).join(''));
      line = line.slice(l);
    }
  }
  if (line.length > 0 || out.length === 0) out.push(line.join(''));
  return out;
}

/** The capture period as the CLI gives it (whole seconds), from the sessions' first and last times. */
function context(sessions: readonly Session[]): { captureStart: Date | null; captureEnd: Date | null } {
  let start = Infinity;
  let end = -Infinity;
  for (const s of sessions) {
    if (s.start_ts < start) start = s.start_ts;
    if (s.end_ts > end) end = s.end_ts;
  }
  if (start === Infinity) return { captureStart: null, captureEnd: null };
  return { captureStart: new Date(Math.floor(start) * 1000), captureEnd: new Date(Math.floor(end) * 1000) };
}

/**
 * The diagnose report as lines for a pane `width` wide: the content of
 * renderDiagnoseText (totals, failures with their messages wrapped,
 * weaknesses per server, slowest handshakes, certificates, timing) coloured
 * by severity; lines that stand for sessions carry the filter selecting them.
 */
export function diagnosisLines(sessions: readonly Session[], width: number): DiagLine[] {
  const r: DiagnoseReport = diagnose(sessions, context(sessions));

  // who is behind each server label, and behind each failure group (label + cause): one pass, keyed
  // by the session's own strings (a label is built once per server name or address and port)
  const named = new Map<string, Map<number, Entry>>();
  const unnamed = new Map<string, Map<number, Entry>>();
  for (const s of sessions) {
    const sni = s.server_name ? s.server_name : '';
    const { ip, port } = s.server;
    const top = sni !== '' ? named : unnamed;
    const k = sni !== '' ? sni : ip;
    let ports = top.get(k);
    if (!ports) top.set(k, (ports = new Map()));
    let e = ports.get(port);
    if (!e) ports.set(port, (e = { sni, port, label: labelOf(sni, ip, port), ips: new Set(), causes: new Map() }));
    e.ips.add(ip);
    const cause = primaryCause(s);
    if (cause) {
      let c = e.causes.get(cause.code);
      if (!c) e.causes.set(cause.code, (c = new Set()));
      c.add(ip);
    }
  }
  const byLabel = new Map<string, Entry[]>();
  for (const top of [named, unnamed]) {
    for (const ports of top.values()) {
      for (const e of ports.values()) {
        const l = byLabel.get(e.label);
        if (l) l.push(e);
        else byLabel.set(e.label, [e]);
      }
    }
  }
  const labelFilter = new Map<string, string | null>();
  const serverFilter = (label: string): string | null => {
    let f = labelFilter.get(label);
    if (f === undefined) {
      const es = byLabel.get(label);
      labelFilter.set(label, (f = es ? targetFilter(es) : null));
    }
    return f;
  };
  const failureFilter = (label: string, cause: string): string | null => {
    const parts: { sni: string; port: number; ips: Set<string> }[] = [];
    for (const e of byLabel.get(label) ?? []) {
      const ips = e.causes.get(cause);
      if (ips) parts.push({ sni: e.sni, port: e.port, ips });
    }
    return parts.length ? `cause=${quoteValue(cause)} ${targetFilter(parts)}` : null;
  };

  const out: DiagLine[] = [];
  const w = Math.max(20, width);
  const blank = (): void => {
    out.push({ line: [], filter: null });
  };
  const heading = (text: string): void => {
    out.push({ line: [{ text, bold: true, color: 'cyan' }], filter: null });
  };
  /** `text` wrapped: the first line after the `lead` segments, the others indented by `indent`. */
  const para = (lead: Seg[], text: string, indent: number, filter: string | null, seg: Omit<Seg, 'text'> = {}): void => {
    const leadLen = lead.reduce((n, s) => n + Array.from(s.text).length, 0);
    wrapTwo(text, w - leadLen, w - indent).forEach((l, i) => {
      out.push({ line: i === 0 ? [...lead, { ...seg, text: l }] : [{ ...seg, text: ' '.repeat(indent) + l }], filter });
    });
  };

  const t = r.totals;
  para(
    [],
    `${t.sessions} TLS session${t.sessions === 1 ? '' : 's'} to ${t.servers} server${t.servers === 1 ? '' : 's'}: ${t.established} established, ${t.failed} failed, ${t.incomplete} incomplete` +
      (r.period.start ? ` (capture ${r.period.start}${r.period.end ? ` to ${r.period.end}` : ''})` : ''),
    2,
    null,
    { bold: true },
  );
  const sev = SEVERITIES.slice()
    .reverse()
    .filter((s) => t.findings_by_severity[s] > 0);
  const findings: Line = [{ text: 'Findings: ' }];
  if (sev.length === 0) findings.push({ text: 'none', color: 'green' });
  sev.forEach((s, i) => findings.push({ text: `${i > 0 ? ', ' : ''}${t.findings_by_severity[s]} ${s}`, color: SEV_COLOR[s] }));
  out.push({ line: findings, filter: null });

  if (r.failures.length) {
    blank();
    heading('Failures');
    for (const f of r.failures) {
      const filter = failureFilter(f.server, f.cause);
      para(
        [{ text: '  ' }, { text: `[${f.severity}]`, color: SEV_COLOR[f.severity], bold: f.severity === 'high' }, { text: ' ' }],
        `${safeMessage(f.message)}${f.inferred ? ' (inferred)' : ''}`,
        6,
        filter,
      );
      if (f.example && !f.message.endsWith(lcFirst(f.example.replace(/\.$/, '')))) para([{ text: '      ' }], safeMessage(f.example), 6, filter, { dim: true });
      para(
        [{ text: '      ' }],
        `code ${f.cause}; sessions ${f.sessions.map(safeText).join(', ')}${f.count > f.sessions.length ? ', ...' : ''}`,
        6,
        filter,
        { dim: true },
      );
    }
  }

  if (r.weaknesses.length) {
    blank();
    heading('Weaknesses and warnings');
    for (const wk of r.weaknesses) {
      const server = serverFilter(wk.server);
      para([{ text: '  ' }], safeText(wk.server), 4, server, { bold: true });
      for (const f of wk.findings) {
        const filter = server === null ? null : `finding=${quoteValue(f.code)}${isFailureCode(f.code) ? ' cause=""' : ''} ${server}`;
        para(
          [{ text: '    ' }, { text: `[${f.severity}]`, color: SEV_COLOR[f.severity], bold: f.severity === 'high' }, { text: ' ' }],
          `${safeText(f.code)} (${f.count}x): ${safeMessage(f.message)}`,
          8,
          filter,
        );
      }
    }
  }

  if (r.slowest_handshakes.length) {
    blank();
    heading('Slowest handshakes');
    for (const s of r.slowest_handshakes) {
      para(
        [{ text: `  ${fmtMs(s.handshake_ms).padStart(10)}`, color: 'yellow' }, { text: '  ' }],
        `${safeText(s.server)}  (session ${safeText(s.id)}${s.version ? `, ${safeText(s.version)}` : ''}, ClientHello->ServerHello ${fmtMs(s.client_hello_to_server_hello_ms)})`,
        14,
        `id=${quoteValue(s.id)}`,
      );
    }
  }

  if (r.expiring_certificates.length) {
    blank();
    heading('Certificates by expiry');
    for (const c of r.expiring_certificates) {
      const when = c.days_left < 0 ? `expired ${-c.days_left} days ago` : `${c.days_left} days left`;
      const color: Color = c.days_left < 0 ? 'red' : c.days_left < 30 ? 'yellow' : 'green';
      para(
        [{ text: `  ${c.not_after.slice(0, 10)}  ` }, { text: when.padEnd(18), color }, { text: ' ' }],
        `${safeText(c.subject_cn ?? '(no CN)')} on ${safeText(c.server)}${c.issuer_cn ? ` (issuer ${safeText(c.issuer_cn)})` : ''}`,
        33,
        serverFilter(c.server),
      );
    }
  }

  const names = Object.entries(r.timing.by_server_name);
  if (names.length) {
    blank();
    heading('Handshake timing by server name (p50 / p90 / p99)');
    for (const [name, a] of names.slice(0, 20)) {
      const h = a.handshake_ms;
      const c = a.client_hello_to_server_hello_ms;
      para(
        [{ text: '  ' }],
        `${safeText(name)}: ${a.count} session${a.count === 1 ? '' : 's'}, handshake ${fmtMs(h.p50)} / ${fmtMs(h.p90)} / ${fmtMs(h.p99)}, ClientHello->ServerHello ${fmtMs(c.p50)} / ${fmtMs(c.p90)} / ${fmtMs(c.p99)}`,
        4,
        `sni=${quoteValue(name)}`,
      );
    }
    if (names.length > 20) out.push({ line: [{ text: `  ... and ${names.length - 20} more`, dim: true }], filter: null });
  }

  if (r.failures.length === 0 && r.weaknesses.length === 0) {
    blank();
    out.push({ line: [{ text: 'No problems found.', color: 'green' }], filter: null });
  }
  return out;
}
