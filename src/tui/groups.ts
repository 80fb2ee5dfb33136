/**
 * The group view of the terminal UI: the sessions of the list aggregated by
 * one key (server name, server address, JA3, JA4, version, cipher suite or
 * finding code) with their count, how many failed and the worst severity.
 * Each row carries the filter text that selects exactly its sessions, so
 * Enter on a row can narrow the list to it.
 *
 * One pass over the sessions; the only allocations are the group map's
 * entries (a session adds nothing unless it opens a new group). Labels are
 * escaped with safeText; the filter text keeps the exact wire value (the
 * filter matches on it), so whoever draws a filter must escape it.
 */
import type { Session } from '../core/model.js';
import type { Severity } from '../core/types.js';
import { safeText } from '../session/safe-text.js';
import { cipherSuiteName, versionName } from '../registry/index.js';
import { endpoint } from './format.js';
import type { Color, Line, Seg } from './format.js';
import { quoteValue, versionNumber } from './filter.js';

export const GROUP_KEYS = ['sni', 'server', 'ja3', 'ja4', 'version', 'cipher', 'finding'] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export const GROUP_LABELS: Record<GroupKey, string> = {
  sni: 'server name',
  server: 'server',
  ja3: 'JA3',
  ja4: 'JA4',
  version: 'version',
  cipher: 'cipher suite',
  finding: 'finding',
};

export interface GroupRow {
  /** What the group is (escaped: safe to draw, not width-limited). */
  label: string;
  /** Filter text that selects exactly this group's sessions (raw wire values, quoted as the filter needs). */
  filter: string;
  count: number;
  /** Sessions whose status is FAILED (not established, with a high-severity finding). */
  failed: number;
  /** Highest finding severity of the group's sessions (for `finding`: of that finding); null without findings. */
  worst: Severity | null;
}

// ------------------------------------------------------------------ grouping

const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high'];
const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3 };

/** The filter text selecting the sessions without a value for `by`. */
const MISSING_FILTER: Record<GroupKey, string> = {
  sni: 'sni=""',
  server: 'server=""', // never used: every session has a server address
  ja3: 'ja3=""',
  ja4: 'ja4=""',
  // version has no `=""`: neither at least nor below the lowest version is no version
  version: '-version>=2 -version<2',
  cipher: 'cipher=""',
  finding: 'finding=""',
};

const MISSING_LABEL: Record<GroupKey, string> = {
  sni: '(no SNI)',
  server: '(no server)',
  ja3: '(no JA3)',
  ja4: '(no JA4)',
  version: '(not negotiated)',
  cipher: '(not negotiated)',
  finding: '(no findings)',
};

interface Acc {
  /** The grouped value (a string from the session, a version number) or null when the session has none. */
  value: string | number | null;
  /** For `version` and `cipher`: the name the (first) session gives it, which is what the filter reads. */
  name: string | null;
  /** For `server`: the address and port. */
  ip: string;
  port: number;
  count: number;
  failed: number;
  /** -1: no finding seen. */
  worst: number;
}

function newAcc(value: string | number | null, ip = '', port = 0, name: string | null = null): Acc {
  return { value, name, ip, port, count: 0, failed: 0, worst: -1 };
}

function add(a: Acc, failed: boolean, worst: number): void {
  a.count++;
  if (failed) a.failed++;
  if (worst > a.worst) a.worst = worst;
}

/** The filter's version spelling for a wire version number (`tls` keeps DTLS out), or null when it has none. */
function versionValue(v: number): string | null {
  if (v >= 0x0301 && v <= 0x0304) return `tls1.${v - 0x0301}`;
  if (v === 0x0300) return 'ssl3';
  if (v === 0x0002) return 'ssl2';
  if (v === 0xfeff) return 'dtls1.0';
  if (v === 0xfefd) return 'dtls1.2';
  if (v === 0xfefc) return 'dtls1.3';
  return null;
}

function valueFilter(by: GroupKey, v: string): string {
  return `${by}=${quoteValue(v)}`;
}

/**
 * Group the sessions `indexes` (into `sessions`) by `by`; rows sorted by count
 * desc, then label. A session with several findings counts in each finding's
 * group; sessions with none in a '(no findings)' group.
 */
export function groupSessions(sessions: readonly Session[], indexes: readonly number[], by: GroupKey): GroupRow[] {
  // keyed by the value itself (no per-session key strings); `server` nests port under address
  const map = new Map<string | number | null, Acc>();
  const servers = new Map<string, Map<number, Acc>>();
  let none: Acc | null = null;

  for (let k = 0; k < indexes.length; k++) {
    const s = sessions[indexes[k] as number];
    if (s === undefined) continue;
    // the session's status and worst finding, without sessionStatus()'s string
    let worst = -1;
    let high = false;
    const fs = s.findings;
    for (let i = 0; i < fs.length; i++) {
      const r = RANK[(fs[i] as { severity: Severity }).severity];
      if (r > worst) worst = r;
      if (r === 3) high = true;
    }
    const failed = !s.established && high;

    switch (by) {
      case 'server': {
        let ports = servers.get(s.server.ip);
        if (!ports) servers.set(s.server.ip, (ports = new Map()));
        let a = ports.get(s.server.port);
        if (!a) ports.set(s.server.port, (a = newAcc(null, s.server.ip, s.server.port)));
        add(a, failed, worst);
        break;
      }
      case 'finding': {
        if (fs.length === 0) {
          if (!none) none = newAcc(null);
          add(none, failed, worst);
          break;
        }
        for (let i = 0; i < fs.length; i++) {
          const f = fs[i] as { code: string; severity: Severity };
          // a code the session reported twice counts once (with its worse severity)
          let dup = false;
          for (let j = 0; j < i && !dup; j++) dup = (fs[j] as { code: string }).code === f.code;
          if (dup) continue;
          let sev = RANK[f.severity];
          for (let j = i + 1; j < fs.length; j++) {
            const g = fs[j] as { code: string; severity: Severity };
            if (g.code === f.code && RANK[g.severity] > sev) sev = RANK[g.severity];
          }
          let a = map.get(f.code);
          if (!a) map.set(f.code, (a = newAcc(f.code)));
          add(a, failed, sev);
        }
        break;
      }
      default: {
        let v: string | number | null;
        switch (by) {
          case 'sni':
            v = s.server_name ? s.server_name : null; // an empty SNI counts as none (as in diagnose)
            break;
          case 'ja3':
            v = s.client_hello?.ja3 ? s.client_hello.ja3 : null;
            break;
          case 'ja4':
            v = s.client_hello?.ja4 ? s.client_hello.ja4 : null;
            break;
          case 'version':
            v = s.version;
            break;
          case 'cipher':
            v = s.cipher_suite;
            break;
        }
        let a = map.get(v);
        if (!a) map.set(v, (a = newAcc(v, '', 0, by === 'version' ? s.version_name : by === 'cipher' ? s.cipher_suite_name : null)));
        add(a, failed, worst);
      }
    }
  }

  const rows: (GroupRow & { key: string })[] = [];
  const push = (a: Acc, label: string, filter: string, key: string): void => {
    rows.push({ label, filter, count: a.count, failed: a.failed, worst: a.worst < 0 ? null : (SEVERITIES[a.worst] as Severity), key });
  };

  if (by === 'server') {
    for (const ports of servers.values()) {
      for (const a of ports.values()) {
        const ep = endpoint({ ip: a.ip, port: a.port });
        push(a, safeText(ep), `server=${quoteValue(ep)}`, ep);
      }
    }
  } else if (by === 'finding') {
    for (const a of map.values()) push(a, safeText(a.value as string), valueFilter('finding', a.value as string), a.value as string);
    if (none) push(none, MISSING_LABEL.finding, MISSING_FILTER.finding, '');
  } else if (by === 'sni' || by === 'ja4') {
    // the filter matches these case-insensitively: groups that differ only in case are one group
    const merged = new Map<string | null, Acc>();
    for (const a of map.values()) {
      const lk = a.value === null ? null : (a.value as string).toLowerCase();
      const m = merged.get(lk);
      if (!m) merged.set(lk, { ...a });
      else {
        // label with the spelling that has more sessions
        if (a.count > m.count) m.value = a.value;
        m.count += a.count;
        m.failed += a.failed;
        if (a.worst > m.worst) m.worst = a.worst;
      }
    }
    for (const a of merged.values()) {
      if (a.value === null) push(a, MISSING_LABEL[by], MISSING_FILTER[by], '');
      else push(a, safeText(a.value as string), valueFilter(by, a.value as string), a.value as string);
    }
  } else if (by === 'version') {
    const names: string[] = [];
    for (const a of map.values()) if (a.value !== null) names.push(squeeze(a.name ?? versionName(a.value as number)));
    for (const a of map.values()) {
      if (a.value === null) {
        push(a, MISSING_LABEL.version, MISSING_FILTER.version, '');
        continue;
      }
      const n = a.value as number;
      const name = a.name ?? versionName(n);
      const spelled = versionValue(n);
      push(a, safeText(name), spelled !== null ? `version=${spelled}` : `version~${versionNeedle(squeeze(name), names)}`, name);
    }
    mergeSameFilter(rows);
  } else if (by === 'cipher') {
    for (const a of map.values()) {
      if (a.value === null) {
        push(a, MISSING_LABEL.cipher, MISSING_FILTER.cipher, '');
        continue;
      }
      const n = a.value as number;
      const name = a.name ?? cipherSuiteName(n);
      const hex = `0x${n.toString(16).padStart(4, '0')}`;
      // the IANA name when it has one (`=` matches it exactly, case-insensitively), else the number
      const known = a.name !== null && !name.startsWith('unknown(') && name !== 'GREASE';
      push(a, name === 'GREASE' ? `GREASE (${hex})` : safeText(name), `cipher=${known ? quoteValue(name) : hex}`, name);
    }
  } else {
    for (const a of map.values()) {
      if (a.value === null) push(a, MISSING_LABEL[by], MISSING_FILTER[by], '');
      else push(a, safeText(a.value as string), valueFilter(by, a.value as string), a.value as string);
    }
  }

  rows.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return rows.map((r) => ({ label: r.label, filter: r.filter, count: r.count, failed: r.failed, worst: r.worst }));
}

/** A version name as the filter's `version~` compares it: lowercase, no spaces. */
function squeeze(name: string): string {
  return name.toLowerCase().replace(/\s+/g, '');
}

/**
 * What `version~` needs to select a version the filter cannot spell (a draft,
 * GREASE, an unknown value): a part of its name the filter accepts (letters,
 * digits, dots; not itself a version like 'tls1.3') and, when there is one,
 * found in none of the other versions' names.
 */
function versionNeedle(name: string, all: readonly string[]): string {
  const parts = name
    .replace(/^unknown\((0x[0-9a-f]+)\)$/, '$1')
    .split(/[^a-z0-9.]+/)
    .filter((p) => p !== '' && versionNumber(p) === null)
    .sort((a, b) => b.length - a.length);
  const unique = parts.find((p) => all.every((o) => o === name || !o.includes(p)));
  return unique ?? parts[0] ?? name.replace(/[^a-z0-9.]/g, '');
}

/** Rows with the same filter select the same sessions: one row (the first one's label). */
function mergeSameFilter(rows: (GroupRow & { key: string })[]): void {
  const seen = new Map<string, GroupRow & { key: string }>();
  let k = 0;
  for (const r of rows) {
    const m = seen.get(r.filter);
    if (!m) {
      seen.set(r.filter, r);
      rows[k++] = r;
      continue;
    }
    m.count += r.count;
    m.failed += r.failed;
    if (r.worst !== null && (m.worst === null || RANK[r.worst] > RANK[m.worst])) m.worst = r.worst;
  }
  rows.length = k;
}

// ------------------------------------------------------------------ layout

const SEV_COLOR: Record<Severity, Color> = { high: 'red', medium: 'yellow', low: 'cyan', info: 'gray' };
const COUNT_W = 8;
const FAILED_W = 7;
const WORST_W = 6;
/** Everything but the label column: ' ' + sessions + ' ' + failed + '  ' + worst. */
const FIXED = 1 + COUNT_W + 1 + FAILED_W + 2 + WORST_W;

function labelWidth(width: number): number {
  return Math.max(1, width - FIXED);
}

/** `text` cut or padded to exactly `w` code points (an ellipsis marks a cut). */
function fit(text: string, w: number): string {
  const cps = Array.from(text);
  if (cps.length > w) return w <= 1 ? cps.slice(0, w).join('') : cps.slice(0, w - 1).join('') + '…';
  return text + ' '.repeat(w - cps.length);
}

/** Cut a line to `width` code points in all. */
function clip(line: Line, width: number): Line {
  const out: Line = [];
  let left = Math.max(0, width);
  for (const seg of line) {
    if (left <= 0) break;
    const cps = Array.from(seg.text);
    if (cps.length <= left) {
      out.push(seg);
      left -= cps.length;
    } else {
      out.push({ ...seg, text: cps.slice(0, left).join('') });
      left = 0;
    }
  }
  return out;
}

/** The column titles of the group view, `width` columns wide. */
export function groupHeader(by: GroupKey, width: number): Line {
  const lw = labelWidth(width);
  return clip(
    [
      { text: fit(GROUP_LABELS[by].toUpperCase(), lw), bold: true },
      { text: ` ${'SESSIONS'.padStart(COUNT_W)} ${'FAILED'.padStart(FAILED_W)}  ${'WORST'.padEnd(WORST_W)}`, bold: true },
    ],
    width,
  );
}

/** One row of the group view, `width` columns wide: label | sessions | failed | worst severity. */
export function groupLine(r: GroupRow, width: number): Line {
  const lw = labelWidth(width);
  const failed: Seg = { text: ` ${String(r.failed).padStart(FAILED_W)}` };
  if (r.failed > 0) failed.color = 'red';
  const worst: Seg = { text: `  ${(r.worst ?? '-').padEnd(WORST_W)}` };
  if (r.worst !== null) worst.color = SEV_COLOR[r.worst];
  else worst.dim = true;
  // the label is escaped already; safeText again would double the backslashes, so only cut it
  return clip([{ text: fit(r.label, lw) }, { text: ` ${String(r.count).padStart(COUNT_W)}` }, failed, worst], width);
}
