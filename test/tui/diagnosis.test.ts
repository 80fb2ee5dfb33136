import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/core/model.js';
import { analyze } from '../../src/analyze.js';
import type { AnalyzeResult } from '../../src/analyze.js';
import { diagnose, primaryCause, renderDiagnoseText } from '../../src/session/diagnose.js';
import { diagnosisLines } from '../../src/tui/diagnosis.js';
import type { DiagLine } from '../../src/tui/diagnosis.js';
import { evaluate, parseFilter } from '../../src/tui/filter.js';
import type { Line } from '../../src/tui/format.js';
import { failed, finding, mk } from './sessions.js';

const EVIL = 'evil\x1b[31mRED\x1b[0m\u202egnp.exe\x07.example';
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const text = (l: Line): string => l.map((s) => s.text).join('');
const cps = (t: string): number => Array.from(t).length;

function ids(ss: readonly Session[], filter: string): string[] {
  const e = parseFilter(filter);
  return ss.filter((s) => evaluate(e, s)).map((s) => s.id);
}

/** diagnose's grouping, written out again here: server name or address, ':port' unless 443, and the primary cause. */
function failureKey(s: Session): string | null {
  const c = primaryCause(s);
  if (!c) return null;
  const host = s.server_name ? s.server_name : s.server.ip.includes(':') ? `[${s.server.ip}]` : s.server.ip;
  return `${s.server.port === 443 ? host : `${host}:${s.server.port}`} ${c.code}`;
}

/** The distinct filters of the lines that carry one, in order, with the text of their first line. */
function filtered(lines: DiagLine[], prefix: string): { filter: string; first: string }[] {
  const out: { filter: string; first: string }[] = [];
  for (const l of lines) {
    if (l.filter === null || !l.filter.startsWith(prefix)) continue;
    if (out.at(-1)?.filter !== l.filter) out.push({ filter: l.filter, first: text(l.line) });
  }
  return out;
}

describe('diagnosisLines on fixtures/diagnose.pcapng', () => {
  let r: AnalyzeResult;
  let ss: Session[] = [];
  beforeAll(async () => {
    r = await analyze('fixtures/diagnose.pcapng');
    ss = r.sessions;
  });

  it('wide enough not to wrap, the lines are `tlsscope diagnose` text line for line', () => {
    const cli = renderDiagnoseText(
      diagnose(ss, {
        captureStart: r.firstTs ? new Date(r.firstTs.sec * 1000) : null,
        captureEnd: r.lastTs ? new Date(r.lastTs.sec * 1000) : null,
      }),
    );
    expect(diagnosisLines(ss, 100_000).map((l) => text(l.line)).join('\n') + '\n').toBe(cli);
    expect(cli).toContain('14 failed');
  });

  it('wrapped to the pane: no line wider, same words in the same order', () => {
    const wide = diagnosisLines(ss, 100_000);
    for (const w of [60, 80, 120]) {
      const lines = diagnosisLines(ss, w);
      for (const l of lines) expect(cps(text(l.line)), `${w}: ${text(l.line)}`).toBeLessThanOrEqual(w);
      expect(lines.length).toBeGreaterThan(wide.length);
      const words = (ls: DiagLine[]): string => ls.map((l) => text(l.line)).join(' ').split(/\s+/).join(' ');
      expect(words(lines)).toBe(words(wide));
    }
  });

  it("each failure group's lines carry a filter selecting exactly its sessions", () => {
    const report = diagnose(ss, { captureStart: null, captureEnd: null });
    const lines = diagnosisLines(ss, 80);
    const fs = filtered(lines, 'cause=');
    expect(fs.length).toBe(report.failures.length);
    expect(fs.length).toBe(10);
    report.failures.forEach((f, i) => {
      const got = fs[i] as { filter: string; first: string };
      expect(got.first).toContain(`[${f.severity}]`);
      expect(f.count).toBeLessThanOrEqual(20); // so f.sessions lists them all
      expect(ids(ss, got.filter), got.filter).toEqual(f.sessions);
      expect(ids(ss, got.filter)).toEqual(ss.filter((s) => failureKey(s) === `${f.server} ${f.cause}`).map((s) => s.id));
    });
    expect(fs[0]?.filter).toBe('cause=cert_untrusted sni=api.example.com server=10.0.0.10:443');
    // every line of a group (message, example, code line) carries it
    const noResponse = lines.filter((l) => l.filter === 'cause=no_server_response sni=api.example.com server=10.0.0.10:443').map((l) => text(l.line));
    expect(noResponse.some((t) => t.includes('code no_server_response; sessions 26, 28'))).toBe(true);
    expect(noResponse.some((t) => t.includes('never answered'))).toBe(true);
  });

  it('weakness lines select the sessions they count; the server line its sessions', () => {
    const report = diagnose(ss, { captureStart: null, captureEnd: null });
    const lines = diagnosisLines(ss, 200);
    const ws = filtered(lines, 'finding=');
    const counted = report.weaknesses.flatMap((w) => w.findings);
    expect(ws.length).toBe(counted.length);
    counted.forEach((f, i) => {
      const got = ws[i] as { filter: string; first: string };
      expect(got.first).toContain(`${f.code} (${f.count}x)`);
      const sel = ids(ss, got.filter);
      expect(sel.length, got.filter).toBe(f.count);
      for (const id of sel) expect(ss.find((s) => s.id === id)?.findings.some((x) => x.code === f.code)).toBe(true);
    });
    // cert_untrusted: 16 sessions have it, 13 count (12 and 13 failed for it, 18 failed for another cause)
    expect(ws.find((w) => w.filter.startsWith('finding=cert_untrusted '))?.filter).toBe('finding=cert_untrusted cause="" sni=api.example.com server=10.0.0.10:443');
    const server = lines.find((l) => text(l.line) === '  api.example.com');
    expect(server?.filter).toBe('sni=api.example.com server=10.0.0.10:443');
    expect(ids(ss, server?.filter as string).length).toBe(34);
  });

  it('a slowest handshake selects its session; headings and blank lines carry none', () => {
    const lines = diagnosisLines(ss, 100);
    const slow = filtered(lines, 'id=');
    expect(slow.length).toBe(10);
    for (const s of slow) {
      const id = s.filter.slice(3);
      expect(s.first).toContain(`(session ${id},`);
      expect(ids(ss, s.filter)).toEqual([id]);
    }
    for (const h of ['', 'Failures', 'Weaknesses and warnings', 'Slowest handshakes', 'Certificates by expiry']) {
      const l = lines.find((x) => text(x.line) === h);
      expect(l, h).toBeDefined();
      expect(l?.filter).toBeNull();
    }
    expect(lines[0]?.filter).toBeNull();
    const timing = lines.find((l) => text(l.line).startsWith('  api.example.com: 34 sessions'));
    expect(timing?.filter).toBe('sni=api.example.com');
  });

  it('colours follow the severity', () => {
    const lines = diagnosisLines(ss, 100);
    const tag = (sev: string): string | undefined => lines.flatMap((l) => l.line).find((s) => s.text === `[${sev}]`)?.color;
    expect(tag('high')).toBe('red');
    expect(tag('medium')).toBe('yellow');
    expect(tag('low')).toBe('cyan');
  });
});

describe('diagnosisLines on hand-built sessions', () => {
  const at = (ip: string, port = 443): { server: { ip: string; port: number } } => ({ server: { ip, port } });

  it('failure filters select exactly diagnose\'s groups: several addresses, no SNI, IPv6, other ports, a name that is an address', () => {
    const ss: Session[] = [
      // one name on six addresses: the filter gives the port
      ...[1, 2, 3, 4, 5, 6].map((i) => failed('cert_expired', { server_name: 'cdn.example', ...at(`203.0.113.${i}`) })),
      // the same name and cause on another port: another group
      failed('cert_expired', { server_name: 'cdn.example', ...at('203.0.113.1', 8443) }),
      // one name on two addresses: listed
      failed('no_server_response', { server_name: 'two.example', ...at('192.0.2.1') }),
      failed('no_server_response', { server_name: 'two.example', ...at('192.0.2.2') }),
      // no SNI, and an empty SNI: by address
      failed('no_server_response', { server_name: null, ...at('192.0.2.1') }),
      failed('no_server_response', { server_name: '', ...at('192.0.2.1') }),
      failed('no_server_response', { server_name: null, ...at('2001:db8::1', 8443) }),
      // an SNI that is an address: diagnose puts it with the address's sessions without SNI
      failed('not_tls_response', { server_name: '198.51.100.7', ...at('198.51.100.9') }),
      failed('not_tls_response', { server_name: null, ...at('198.51.100.7') }),
      failed('not_tls_response', { server_name: null, ...at('198.51.100.9') }),
      // sessions that must not be selected
      mk({ server_name: 'cdn.example', ...at('203.0.113.1') }),
      failed('cert_expired', { server_name: 'cdn.example', ...at('203.0.113.1'), client: { ip: '10.9.9.9', port: 443 }, ...at('203.0.113.1', 9443) }),
      failed('cert_expired', { server_name: 'other.example', ...at('203.0.113.1') }),
    ];
    const report = diagnose(ss, { captureStart: null, captureEnd: null });
    const fs = filtered(diagnosisLines(ss, 100), 'cause=');
    expect(fs.length).toBe(report.failures.length);
    report.failures.forEach((f, i) => {
      const filter = (fs[i] as { filter: string }).filter;
      expect(ids(ss, filter), `${f.server} ${f.cause}: ${filter}`).toEqual(ss.filter((s) => failureKey(s) === `${f.server} ${f.cause}`).map((s) => s.id));
    });
    const all = fs.map((f) => f.filter);
    expect(all).toContain('cause=cert_expired sni=cdn.example port>=443 port<=443');
    expect(all).toContain('cause=no_server_response sni=two.example server=192.0.2.1:443|192.0.2.2:443');
    expect(all).toContain('cause=no_server_response sni="" server=192.0.2.1:443');
    expect(all).toContain('cause=no_server_response sni="" server=[2001:db8::1]:8443');
    expect(all).toContain('cause=not_tls_response (sni=198.51.100.7 server=198.51.100.9:443 or sni="" server=198.51.100.7:443)');
  });

  it('wire strings are escaped: a hostile server name never reaches a line raw, and its filter still selects it', () => {
    const ss = [
      failed('cert_expired', { server_name: EVIL, findings: [finding('cert_expired', 'high', 'The certificate of "evil\\x1b[31m" expired.')] }),
      failed('cert_expired', { server_name: EVIL }),
      mk({ server_name: EVIL, findings: [finding('weak_cipher', 'medium')] }),
      mk({ server_name: 'a b|c"d' }),
    ];
    ss[3] = failed('no_server_response', { server_name: 'a b|c"d' });
    const lines = diagnosisLines(ss, 70);
    for (const l of lines) for (const s of l.line) expect(s.text).not.toMatch(RAW);
    expect(lines.some((l) => text(l.line).includes('evil\\x1b[31mRED'))).toBe(true);
    const report = diagnose(ss, { captureStart: null, captureEnd: null });
    const fs = filtered(lines, 'cause=');
    report.failures.forEach((f, i) => expect(ids(ss, (fs[i] as { filter: string }).filter)).toEqual(f.sessions));
    expect(fs.map((f) => f.filter)).toContain('cause=no_server_response sni="a b|c\\"d" server=198.51.100.1:443');
    const weak = filtered(lines, 'finding=weak_cipher');
    expect(weak.length).toBe(1);
    expect(ids(ss, (weak[0] as { filter: string }).filter)).toEqual([ss[2]?.id]);
  });

  it('no sessions: the totals and "No problems found."', () => {
    const lines = diagnosisLines([], 80);
    expect(lines.map((l) => text(l.line))).toEqual(['0 TLS sessions to 0 servers: 0 established, 0 failed, 0 incomplete', 'Findings: none', '', 'No problems found.']);
    expect(lines.map((l) => l.filter)).toEqual([null, null, null, null]);
    expect(renderDiagnoseText(diagnose([], { captureStart: null, captureEnd: null }))).toBe(lines.map((l) => text(l.line)).join('\n') + '\n');
  });
});
