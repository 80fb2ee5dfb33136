/**
 * `tlsscope diagnose`: a capture-wide report built from the sessions'
 * findings: why handshakes failed (grouped by server and cause), weaknesses
 * per server, the slowest handshakes, the soonest-expiring certificates and
 * timing aggregates. `renderDiagnoseText` prints it for a terminal; every
 * string that came from the wire goes through `safeText`.
 */
import type { FindingJson, Session } from '../core/model.js';
import type { Severity } from '../core/types.js';
import { FINDING_CODES, severityRank } from './findings.js';
import type { FindingCode } from './findings.js';
import { safeMessage, safeText } from './safe-text.js';
import { TimingGroups, serverAddress } from './stats.js';
import type { TimingAggregates } from './stats.js';

/** What the report reads of a session. */
export type DiagnoseSession = Pick<
  Session,
  'id' | 'server' | 'server_name' | 'findings' | 'timing' | 'version' | 'version_name' | 'established' | 'end_ts' | 'flags' | 'certificates' | 'alerts'
>;


export interface DiagnoseContext {
  captureStart: Date | null;
  captureEnd: Date | null;
}

export interface FailureGroup {
  /** server_name when known, else the server address; ':port' added when it is not 443. */
  server: string;
  server_name: string | null;
  server_ip: string;
  server_port: number;
  /** Primary cause: the most specific failure finding code of these sessions. */
  cause: string;
  severity: Severity;
  count: number;
  inferred: boolean;
  /** e.g. "9 sessions to api.example.com failed: certificate expired on 2026-10-01, 11 days before this capture" (wire text escaped with safeText). */
  message: string;
  /** The finding message of the first session of the group. */
  example: string;
  /** Session ids (at most 20). */
  sessions: string[];
}

export interface WeaknessGroup {
  server: string;
  findings: { code: string; severity: Severity; count: number; message: string }[];
}

export interface DiagnoseReport {
  /** First and last packet times of the capture. */
  period: { start: string | null; end: string | null; duration_s: number | null };
  totals: {
    sessions: number;
    established: number;
    failed: number;
    /** Not established, without a failure finding (capture ended, mid-stream pickup...). */
    incomplete: number;
    /** Distinct servers: by server name (SNI) when known, else by address; ':port' when not 443. */
    servers: number;
    findings_by_severity: Record<Severity, number>;
    findings_by_code: Record<string, number>;
  };
  max_severity: Severity | null;
  failures: FailureGroup[];
  weaknesses: WeaknessGroup[];
  slowest_handshakes: { id: string; server: string; handshake_ms: number; client_hello_to_server_hello_ms: number | null; version: string | null }[];
  expiring_certificates: { server: string; subject_cn: string | null; issuer_cn: string | null; not_after: string; days_left: number; sha256: string }[];
  timing: TimingAggregates;
}

/** Failure codes from the most specific to the most generic: the first one a session has is its cause. */
export const CAUSE_PRECEDENCE: readonly FindingCode[] = [
  'not_tls_response',
  'large_client_hello_dropped',
  'no_server_response',
  'protocol_version_mismatch',
  'no_shared_cipher',
  'no_shared_group',
  'clock_skew_suspected',
  'cert_expired',
  'cert_not_yet_valid',
  'cert_hostname_mismatch',
  'cert_self_signed',
  'cert_chain_incomplete',
  'cert_untrusted',
  'client_cert_missing',
  'client_cert_rejected',
  'alpn_mismatch',
  'tls13_client_rejected_cert',
  'reset_during_handshake',
  'handshake_failed',
];

const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high'];


function serverLabel(s: Pick<Session, 'server' | 'server_name'>): string {
  const host = s.server_name ? s.server_name : s.server.ip.includes(':') ? `[${s.server.ip}]` : s.server.ip;
  return s.server.port === 443 ? host : `${host}:${s.server.port}`;
}

function isFailureCode(code: string): boolean {
  const info = (FINDING_CODES as Record<string, { category: string }>)[code];
  return info?.category === 'failure';
}

/**
 * The primary failure finding of a session that did not complete, or null: the
 * first high-severity failure code in CAUSE_PRECEDENCE, else (when the session
 * ended with a fatal/encrypted alert or a reset) the first of any severity.
 * Sessions without one count as incomplete; their findings are listed as warnings.
 */
export function primaryCause(s: Pick<Session, 'established' | 'alerts' | 'flags' | 'findings'>): FindingJson | null {
  if (s.established) return null;
  // high-severity causes first (a medium cert_untrusted on a session that failed for its client certificate is not the cause)
  // a lesser finding is the cause only when the session visibly failed (fatal or encrypted alert, reset)
  const signal = s.alerts.some((a) => a.level === 2 || a.encrypted) || s.flags.reset_by !== null;
  for (const pass of signal ? [true, false] : [true]) {
    for (const code of CAUSE_PRECEDENCE) {
      const f = s.findings.find((x) => x.code === code && (x.severity === 'high') === pass);
      if (f) return f;
    }
  }
  return null;
}

function lcFirst(t: string): string {
  return t.length > 1 && /^[A-Z][a-z]/.test(t) ? t.charAt(0).toLowerCase() + t.slice(1) : t;
}

function causePhrase(f: FindingJson): string {
  const e = f.evidence;
  switch (f.code) {
    case 'cert_expired':
      if (typeof e['not_after'] === 'string') {
        const d = e['not_after'].slice(0, 10);
        const days = typeof e['days_expired'] === 'number' ? e['days_expired'] : null;
        return `certificate expired on ${d}${days !== null ? `, ${days === 1 ? '1 day' : `${days} days`} before this capture` : ''}`;
      }
      break;
    case 'cert_not_yet_valid':
      if (typeof e['not_before'] === 'string') return `certificate not valid until ${e['not_before'].slice(0, 10)}`;
      break;
    case 'no_server_response':
      return 'no answer to the ClientHello';
    default:
      break;
  }
  return lcFirst(f.message.replace(/\.$/, ''));
}

/** `d` when it holds a time (not an Invalid Date), else null. */
function validDate(d: Date | null): Date | null {
  return d !== null && Number.isFinite(d.getTime()) ? d : null;
}


/**
 * A session's place in the report's order: sessions are read as if sorted by
 * this key (lexicographically), whatever order they are added in. `diagnose`
 * uses the array index; the CLI the session's start, flow and handshake index
 * (AnalyzeResult's order), so it can add sessions as the capture is read.
 */
export type DiagnoseOrder = readonly [number, number, number];

function before(a: DiagnoseOrder, b: DiagnoseOrder): boolean {
  return a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])));
}

/**
 * Puts `x` into `list` (kept sorted by `first`, at most `max` long) unless
 * `max` entries already come before it: the first `max` of what was added.
 */
function insertBounded<T>(list: T[], x: T, max: number, first: (a: T, b: T) => boolean): void {
  if (list.length >= max && !first(x, list[list.length - 1] as T)) return;
  let i = list.length;
  while (i > 0 && first(x, list[i - 1] as T)) i--;
  list.splice(i, 0, x);
  if (list.length > max) list.pop();
}

/** Slower handshake first; equal times by session id. */
function slower(a: Slow, b: Slow): boolean {
  return a.handshake_ms > b.handshake_ms || (a.handshake_ms === b.handshake_ms && a.id.localeCompare(b.id) < 0);
}

/** Failure-group members reported by id. */
const GROUP_IDS = 20;
/** Slowest handshakes reported. */
const SLOWEST = 10;

interface FailAcc {
  label: string;
  cause: string;
  /** The group's first session (in report order), its cause finding. */
  first: { order: DiagnoseOrder; server_name: string | null; server: Session['server']; finding: FindingJson };
  severity: Severity;
  count: number;
  inferred: boolean;
  /** The first GROUP_IDS sessions, in report order. */
  ids: { order: DiagnoseOrder; id: string }[];
}

interface WeakAcc {
  severity: Severity;
  count: number;
  order: DiagnoseOrder;
  message: string;
}

interface CertAcc {
  order: DiagnoseOrder;
  server: string;
  subject_cn: string | null;
  issuer_cn: string | null;
  not_after: string;
  notAfterMs: number;
  sha256: string;
}


type Slow = DiagnoseReport['slowest_handshakes'][number];

/**
 * The report built as sessions come, keeping what it needs of them instead
 * of the sessions: counts, one entry per failure group, weakness, server and
 * leaf certificate, the handshake times (two numbers per session, for the
 * percentiles), the ten slowest handshakes and up to twenty ids per failure
 * group. `tlsscope diagnose` adds each session as the capture is read, so its
 * memory does not grow with whole sessions.
 */
export class Diagnosis {
  private sessions = 0;
  private established = 0;
  private failed = 0;
  private incomplete = 0;
  private latestEnd = -Infinity;
  private max: Severity | null = null;
  private readonly bySeverity: Record<Severity, number> = { info: 0, low: 0, medium: 0, high: 0 };
  private readonly byCode: Record<string, number> = {};
  private readonly servers = new Set<string>();
  /** server label -> cause code (keyed by both parts: a server label is wire text and may hold any character, NUL included) */
  private readonly failGroups = new Map<string, Map<string, FailAcc>>();
  private readonly weak = new Map<string, Map<string, WeakAcc>>();
  private readonly certs = new Map<string, CertAcc>();
  private readonly timingByName = new TimingGroups();
  private readonly timingByServer = new TimingGroups();
  private slowest: Slow[] = [];

  add(s: DiagnoseSession, order: DiagnoseOrder): void {
    this.sessions++;
    const label = serverLabel(s);
    this.servers.add(label);
    if (s.end_ts > this.latestEnd) this.latestEnd = s.end_ts;
    for (const f of s.findings) {
      this.bySeverity[f.severity]++;
      this.byCode[f.code] = (this.byCode[f.code] ?? 0) + 1;
      if (this.max === null || severityRank(f.severity) > severityRank(this.max)) this.max = f.severity;
    }
    const cause = primaryCause(s);
    if (s.established) this.established++;
    else if (cause) this.failed++;
    else this.incomplete++;
    if (cause) this.addFailure(s, label, cause, order);
    // weaknesses and non-fatal problems of sessions that did complete (or that failed for another reason)
    for (const f of s.findings) {
      if (f.severity === 'info' || f === cause) continue;
      if (cause && isFailureCode(f.code)) continue;
      let m = this.weak.get(label);
      if (!m) this.weak.set(label, (m = new Map()));
      const w = m.get(f.code);
      if (!w) m.set(f.code, { severity: f.severity, count: 1, order, message: f.message });
      else {
        w.count++;
        if (severityRank(f.severity) > severityRank(w.severity)) w.severity = f.severity;
        if (before(order, w.order)) {
          w.order = order;
          w.message = f.message;
        }
      }
    }
    const hs = s.timing.handshake_ms;
    if (hs !== null) {
      const slow: Slow = { id: s.id, server: label, handshake_ms: hs, client_hello_to_server_hello_ms: s.timing.client_hello_to_server_hello_ms, version: s.version_name };
      insertBounded(this.slowest, slow, SLOWEST, slower);
    }
    // certificates: leaf of each session, deduplicated by fingerprint, named after its first session's server
    const c = s.certificates[0];
    if (c?.not_after) {
      const had = this.certs.get(c.sha256);
      if (had === undefined) {
        const na = new Date(c.not_after).getTime();
        if (!Number.isNaN(na)) {
          this.certs.set(c.sha256, { order, server: label, subject_cn: c.subject_cn ?? null, issuer_cn: c.issuer_cn ?? null, not_after: c.not_after, notAfterMs: na, sha256: c.sha256 });
        }
      } else if (before(order, had.order)) {
        had.order = order;
        had.server = label;
      }
    }
    if (s.server_name) this.timingByName.add(s.server_name, s);
    this.timingByServer.add(serverAddress(s), s);
  }

  private addFailure(s: DiagnoseSession, label: string, cause: FindingJson, order: DiagnoseOrder): void {
    let byCause = this.failGroups.get(label);
    if (!byCause) this.failGroups.set(label, (byCause = new Map()));
    let g = byCause.get(cause.code);
    if (!g) {
      g = { label, cause: cause.code, first: { order, server_name: s.server_name, server: s.server, finding: cause }, severity: 'info', count: 0, inferred: true, ids: [] };
      byCause.set(cause.code, g);
    } else if (before(order, g.first.order)) {
      g.first = { order, server_name: s.server_name, server: s.server, finding: cause };
    }
    g.count++;
    if (severityRank(cause.severity) > severityRank(g.severity)) g.severity = cause.severity;
    if (cause.inferred !== true) g.inferred = false;
    // the first GROUP_IDS ids in report order
    insertBounded(g.ids, { order, id: s.id }, GROUP_IDS, (a, b) => before(a.order, b.order));
  }

  report(ctx: DiagnoseContext): DiagnoseReport {
    const failures: FailureGroup[] = [];
    for (const byCause of this.failGroups.values()) {
      for (const g of byCause.values()) {
        const f0 = g.first.finding;
        const n = g.count;
        failures.push({
          server: g.label,
          server_name: g.first.server_name,
          server_ip: g.first.server.ip,
          server_port: g.first.server.port,
          cause: g.cause,
          severity: g.severity,
          count: n,
          inferred: g.inferred,
          message: `${n} session${n === 1 ? '' : 's'} to ${safeText(g.label)} failed: ${safeMessage(causePhrase(f0))}`,
          example: f0.message,
          sessions: g.ids.map((x) => x.id),
        });
      }
    }
    failures.sort((a, b) => b.count - a.count || severityRank(b.severity) - severityRank(a.severity) || a.server.localeCompare(b.server) || a.cause.localeCompare(b.cause));

    const weaknesses: WeaknessGroup[] = [...this.weak.entries()]
      .map(([server, m]) => ({
        server,
        findings: [...m.entries()]
          .map(([code, w]) => ({ code, severity: w.severity, count: w.count, message: w.message }))
          .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.code.localeCompare(b.code)),
      }))
      .sort((a, b) => severityRank((b.findings[0] as { severity: Severity }).severity) - severityRank((a.findings[0] as { severity: Severity }).severity) || a.server.localeCompare(b.server));

    // a capture time beyond what Date holds (a hostile pcapng timestamp) counts as unknown
    const start = validDate(ctx.captureStart);
    const end = validDate(ctx.captureEnd);
    const refMs = (end ?? start)?.getTime() ?? (this.sessions ? this.latestEnd * 1000 : Date.now());
    const expiring = [...this.certs.values()]
      .sort((a, b) => a.not_after.localeCompare(b.not_after) || a.sha256.localeCompare(b.sha256))
      .slice(0, SLOWEST)
      .map((c) => ({ server: c.server, subject_cn: c.subject_cn, issuer_cn: c.issuer_cn, not_after: c.not_after, days_left: Math.trunc((c.notAfterMs - refMs) / 86_400_000), sha256: c.sha256 }));

    return {
      period: {
        start: start ? start.toISOString() : null,
        end: end ? end.toISOString() : null,
        duration_s: start && end ? (end.getTime() - start.getTime()) / 1000 : null,
      },
      totals: {
        sessions: this.sessions,
        established: this.established,
        failed: this.failed,
        incomplete: this.incomplete,
        servers: this.servers.size,
        findings_by_severity: { ...this.bySeverity },
        findings_by_code: Object.fromEntries(Object.entries(this.byCode).sort(([a], [b]) => a.localeCompare(b))),
      },
      max_severity: this.max,
      failures,
      weaknesses,
      slowest_handshakes: this.slowest.map((x) => ({ ...x })),
      expiring_certificates: expiring,
      timing: { by_server_name: this.timingByName.record(), by_server: this.timingByServer.record() },
    };
  }
}

/** The report over `sessions`, read in array order. */
export function diagnose(sessions: readonly DiagnoseSession[], ctx: DiagnoseContext): DiagnoseReport {
  const d = new Diagnosis();
  for (let i = 0; i < sessions.length; i++) d.add(sessions[i] as DiagnoseSession, [i, 0, 0]);
  return d.report(ctx);
}

function fmtMs(v: number | null): string {
  return v === null ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
}

export function renderDiagnoseText(r: DiagnoseReport): string {
  const L: string[] = [];
  const t = r.totals;
  L.push(
    `${t.sessions} TLS session${t.sessions === 1 ? '' : 's'} to ${t.servers} server${t.servers === 1 ? '' : 's'}: ${t.established} established, ${t.failed} failed, ${t.incomplete} incomplete` +
      (r.period.start ? ` (capture ${r.period.start}${r.period.end ? ` to ${r.period.end}` : ''})` : ''),
  );
  const sev = SEVERITIES.slice()
    .reverse()
    .filter((s) => t.findings_by_severity[s] > 0)
    .map((s) => `${t.findings_by_severity[s]} ${s}`);
  L.push(`Findings: ${sev.length ? sev.join(', ') : 'none'}`);

  if (r.failures.length) {
    L.push('', 'Failures');
    for (const f of r.failures) {
      L.push(`  [${f.severity}] ${safeMessage(f.message)}${f.inferred ? ' (inferred)' : ''}`);
      if (f.example && !f.message.endsWith(lcFirst(f.example.replace(/\.$/, '')))) L.push(`      ${safeMessage(f.example)}`);
      L.push(`      code ${f.cause}; sessions ${f.sessions.map(safeText).join(', ')}${f.count > f.sessions.length ? ', ...' : ''}`);
    }
  }
  if (r.weaknesses.length) {
    L.push('', 'Weaknesses and warnings');
    for (const w of r.weaknesses) {
      L.push(`  ${safeText(w.server)}`);
      for (const f of w.findings) L.push(`    [${f.severity}] ${f.code} (${f.count}x): ${safeMessage(f.message)}`);
    }
  }
  if (r.slowest_handshakes.length) {
    L.push('', 'Slowest handshakes');
    for (const s of r.slowest_handshakes) {
      L.push(`  ${fmtMs(s.handshake_ms).padStart(10)}  ${safeText(s.server)}  (session ${safeText(s.id)}${s.version ? `, ${safeText(s.version)}` : ''}, ClientHello->ServerHello ${fmtMs(s.client_hello_to_server_hello_ms)})`);
    }
  }
  if (r.expiring_certificates.length) {
    L.push('', 'Certificates by expiry');
    for (const c of r.expiring_certificates) {
      const when = c.days_left < 0 ? `expired ${-c.days_left} days ago` : `${c.days_left} days left`;
      L.push(`  ${c.not_after.slice(0, 10)}  ${when.padEnd(18)} ${safeText(c.subject_cn ?? '(no CN)')} on ${safeText(c.server)}${c.issuer_cn ? ` (issuer ${safeText(c.issuer_cn)})` : ''}`);
    }
  }
  const names = Object.entries(r.timing.by_server_name);
  if (names.length) {
    L.push('', 'Handshake timing by server name (p50 / p90 / p99)');
    for (const [name, a] of names.slice(0, 20)) {
      const h = a.handshake_ms;
      L.push(`  ${safeText(name)}: ${a.count} session${a.count === 1 ? '' : 's'}, handshake ${fmtMs(h.p50)} / ${fmtMs(h.p90)} / ${fmtMs(h.p99)}, ClientHello->ServerHello ${fmtMs(a.client_hello_to_server_hello_ms.p50)} / ${fmtMs(a.client_hello_to_server_hello_ms.p90)} / ${fmtMs(a.client_hello_to_server_hello_ms.p99)}`);
    }
    if (names.length > 20) L.push(`  ... and ${names.length - 20} more`);
  }
  if (r.failures.length === 0 && r.weaknesses.length === 0) L.push('', 'No problems found.');
  return L.join('\n') + '\n';
}
