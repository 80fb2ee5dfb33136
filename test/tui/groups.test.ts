import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/core/model.js';
import type { Severity } from '../../src/core/types.js';
import { analyze } from '../../src/analyze.js';
import { sessionStatus } from '../../src/cli/render.js';
import { evaluate, parseFilter } from '../../src/tui/filter.js';
import { GROUP_KEYS, GROUP_LABELS, groupHeader, groupLine, groupSessions } from '../../src/tui/groups.js';
import type { GroupKey, GroupRow } from '../../src/tui/groups.js';
import type { Line } from '../../src/tui/format.js';
import { clientHello, failed, finding, mk } from './sessions.js';

const EVIL = 'evil\x1b[31mRED\x1b[0m\u202egnp.exe\x07.example';
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3 };

const all = (ss: readonly Session[]): number[] => ss.map((_, i) => i);
const text = (l: Line): string => l.map((s) => s.text).join('');
const cps = (t: string): number => Array.from(t).length;
const isFailed = (s: Session): boolean => sessionStatus(s).startsWith('FAILED');

function select(ss: readonly Session[], filter: string): Session[] {
  const e = parseFilter(filter);
  return ss.filter((s) => evaluate(e, s));
}

function worstOf(sevs: Severity[]): Severity | null {
  return sevs.reduce<Severity | null>((a, s) => (a === null || RANK[s] > RANK[a] ? s : a), null);
}

/** Every row's filter selects exactly its count, failures and worst severity, computed here from the selection. */
function checkRoundTrip(ss: readonly Session[], rows: GroupRow[], by: GroupKey): void {
  for (const r of rows) {
    const sel = select(ss, r.filter);
    expect(sel.length, r.filter).toBe(r.count);
    expect(sel.filter(isFailed).length, r.filter).toBe(r.failed);
    if (by === 'finding') {
      const code = /^finding=(.*)$/.exec(r.filter)?.[1] as string;
      expect(r.worst, r.filter).toBe(code === '""' ? null : worstOf(sel.flatMap((s) => s.findings.filter((f) => f.code === code).map((f) => f.severity))));
    } else {
      expect(r.worst, r.filter).toBe(worstOf(sel.flatMap((s) => s.findings.map((f) => f.severity))));
    }
  }
  if (by !== 'finding') {
    // a partition: every session in exactly one group
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(ss.length);
    for (const s of ss) expect(rows.filter((r) => evaluate(parseFilter(r.filter), s)).length, s.id).toBe(1);
  }
}

function checkSorted(rows: GroupRow[]): void {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1] as GroupRow;
    const b = rows[i] as GroupRow;
    expect(a.count >= b.count, `${a.label} before ${b.label}`).toBe(true);
  }
}

describe('groupSessions on fixtures/diagnose.pcapng', () => {
  let ss: Session[] = [];
  beforeAll(async () => {
    ss = (await analyze('fixtures/diagnose.pcapng')).sessions;
  });

  it('has the sessions the tests expect', () => {
    expect(ss.length).toBe(34);
    expect(ss.filter(isFailed).length).toBe(14);
  });

  for (const by of GROUP_KEYS) {
    it(`by ${by}: each row's filter selects exactly its sessions; sorted by count`, () => {
      const rows = groupSessions(ss, all(ss), by);
      expect(rows.length).toBeGreaterThan(0);
      checkRoundTrip(ss, rows, by);
      checkSorted(rows);
      expect(new Set(rows.map((r) => r.filter)).size).toBe(rows.length);
    });
  }

  it('by version: counts, failures and worst match a grouping done here by version name', () => {
    const rows = groupSessions(ss, all(ss), 'version');
    const want = new Map<string, { count: number; failed: number; worst: Severity | null }>();
    for (const s of ss) {
      const k = s.version_name ?? '(not negotiated)';
      const w = want.get(k) ?? { count: 0, failed: 0, worst: null };
      w.count++;
      if (isFailed(s)) w.failed++;
      w.worst = worstOf([...(w.worst ? [w.worst] : []), ...s.findings.map((f) => f.severity)]);
      want.set(k, w);
    }
    expect(new Map(rows.map((r) => [r.label, { count: r.count, failed: r.failed, worst: r.worst }]))).toEqual(want);
    expect(rows.find((r) => r.label === 'TLS 1.2')?.filter).toBe('version=tls1.2');
    expect(rows.find((r) => r.label === '(not negotiated)')).toMatchObject({ count: 9, failed: 9, worst: 'high' });
  });

  it('by finding: a session counts in each of its findings; cert_untrusted is in 16 sessions, 3 of them failed', () => {
    const rows = groupSessions(ss, all(ss), 'finding');
    const untrusted = rows.find((r) => r.label === 'cert_untrusted');
    expect(untrusted).toEqual({ label: 'cert_untrusted', filter: 'finding=cert_untrusted', count: 16, failed: 3, worst: 'high' });
    const none = rows.find((r) => r.label === '(no findings)');
    expect(none).toEqual({ label: '(no findings)', filter: 'finding=""', count: ss.filter((s) => s.findings.length === 0).length, failed: 0, worst: null });
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(ss.reduce((n, s) => n + Math.max(1, new Set(s.findings.map((f) => f.code)).size), 0));
  });

  it('by server name, server, cipher: the filters spelled as documented', () => {
    expect(groupSessions(ss, all(ss), 'sni')).toEqual([{ label: 'api.example.com', filter: 'sni=api.example.com', count: 34, failed: 14, worst: 'high' }]);
    expect(groupSessions(ss, all(ss), 'server').map((r) => r.filter)).toEqual(['server=10.0.0.10:443']);
    const ciphers = groupSessions(ss, all(ss), 'cipher');
    expect(ciphers.map((r) => r.filter)).toContain('cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(ciphers.find((r) => r.filter === 'cipher=""')?.label).toBe('(not negotiated)');
  });

  it('only the sessions in `indexes` count', () => {
    const idx = all(ss).filter((i) => isFailed(ss[i] as Session));
    const rows = groupSessions(ss, idx, 'ja4');
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(14);
    for (const r of rows) expect(r.failed).toBe(r.count);
    const sub = idx.map((i) => ss[i] as Session);
    for (const r of rows) expect(select(sub, r.filter).length).toBe(r.count);
    expect(groupSessions(ss, [], 'sni')).toEqual([]);
  });
});

describe('groupSessions on hand-built sessions', () => {
  it('server names differing in case are one group; no SNI and an empty SNI are "(no SNI)"', () => {
    const ss = [mk({ server_name: 'Example.COM' }), mk({ server_name: 'example.com' }), mk({ server_name: 'example.com' }), mk({ server_name: null }), mk({ server_name: '' }), mk({ server_name: 'other.test' })];
    const rows = groupSessions(ss, all(ss), 'sni');
    expect(rows.map((r) => [r.label, r.count, r.filter])).toEqual([
      ['example.com', 3, 'sni=example.com'],
      ['(no SNI)', 2, 'sni=""'],
      ['other.test', 1, 'sni=other.test'],
    ]);
    checkRoundTrip(ss, rows, 'sni');
  });

  it('awkward server names are quoted so they select exactly themselves', () => {
    const names = ['a b', 'x|y', 'q"uote', 'back\\slash', '(paren)', 'or', '-dash', EVIL, 'tab\tname', 'ünïcödé.example', ''];
    const ss = names.map((n) => mk({ server_name: n }));
    ss.push(mk({ server_name: 'x' }), mk({ server_name: 'y' }), mk({ server_name: 'a' }));
    const rows = groupSessions(ss, all(ss), 'sni');
    checkRoundTrip(ss, rows, 'sni');
    for (const r of rows) {
      expect(r.label).not.toMatch(RAW);
      for (const w of [20, 80]) expect(text(groupLine(r, w))).not.toMatch(RAW);
    }
    expect(rows.find((r) => r.label.startsWith('evil'))?.label).toBe('evil\\x1b[31mRED\\x1b[0m\\u{202e}gnp.exe\\x07.example');
  });

  it('servers: IPv4 and IPv6 with ports, exact', () => {
    const ss = [
      mk({ server: { ip: '10.0.0.1', port: 443 } }),
      mk({ server: { ip: '10.0.0.1', port: 8443 } }),
      mk({ server: { ip: '10.0.0.10', port: 443 } }),
      mk({ server: { ip: '2001:db8::1', port: 443 } }),
      mk({ server: { ip: '2001:db8::1', port: 443 } }),
    ];
    const rows = groupSessions(ss, all(ss), 'server');
    expect(rows.map((r) => r.filter)).toEqual(['server=[2001:db8::1]:443', 'server=10.0.0.10:443', 'server=10.0.0.1:443', 'server=10.0.0.1:8443']);
    checkRoundTrip(ss, rows, 'server');
  });

  it('versions: TLS and DTLS apart, unknown versions by name, none', () => {
    const dtls = { transport: 'udp' as const, protocol: 'dtls' as const };
    const ss = [
      mk({ version: 0x0303, version_name: 'TLS 1.2' }),
      mk({ version: 0xfefd, version_name: 'DTLS 1.2', ...dtls }),
      mk({ version: 0x0304, version_name: 'TLS 1.3' }),
      mk({ version: 0xfefc, version_name: 'DTLS 1.3', ...dtls }),
      mk({ version: 0x0300, version_name: 'SSL 3.0' }),
      mk({ version: 0x7f1c, version_name: 'TLS 1.3 (draft 28)' }),
      mk({ version: 0x7f17, version_name: 'TLS 1.3 (draft 23)' }),
      mk({ version: 0x7e02, version_name: 'unknown(0x7e02)' }),
      mk({ version: 0x0a0a, version_name: 'GREASE' }),
      mk({ version: 0x1a1a, version_name: 'GREASE' }),
      failed('no_server_response'),
    ];
    const rows = groupSessions(ss, all(ss), 'version');
    checkRoundTrip(ss, rows, 'version');
    const f = new Map(rows.map((r) => [r.label, r.filter]));
    expect(f.get('TLS 1.2')).toBe('version=tls1.2');
    expect(f.get('DTLS 1.2')).toBe('version=dtls1.2');
    expect(f.get('SSL 3.0')).toBe('version=ssl3');
    expect(f.get('TLS 1.3 (draft 28)')).toBe('version~draft28');
    expect(f.get('unknown(0x7e02)')).toBe('version~0x7e02');
    expect(rows.find((r) => r.label === 'GREASE')?.count).toBe(2);
    expect(rows.find((r) => r.label === '(not negotiated)')).toMatchObject({ count: 1, failed: 1, worst: 'high' });
  });

  it('ciphers: IANA names, GREASE and unknown suites by number', () => {
    const ss = [
      mk({ cipher_suite: 0x1301, cipher_suite_name: 'TLS_AES_128_GCM_SHA256' }),
      mk({ cipher_suite: 0x0a0a, cipher_suite_name: 'GREASE' }),
      mk({ cipher_suite: 0x1a1a, cipher_suite_name: 'GREASE' }),
      mk({ cipher_suite: 0x1234, cipher_suite_name: 'unknown(0x1234)' }),
      mk({ cipher_suite: 0xc02f, cipher_suite_name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' }),
      failed('no_shared_cipher'),
    ];
    const rows = groupSessions(ss, all(ss), 'cipher');
    checkRoundTrip(ss, rows, 'cipher');
    expect(rows.map((r) => r.filter).sort()).toEqual(['cipher=""', 'cipher=0x0a0a', 'cipher=0x1a1a', 'cipher=0x1234', 'cipher=TLS_AES_128_GCM_SHA256', 'cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'].sort());
    expect(rows.find((r) => r.filter === 'cipher=0x0a0a')?.label).toBe('GREASE (0x0a0a)');
  });

  it('JA3/JA4: missing values are a group; JA4 case folds like the filter', () => {
    const ss = [
      mk({ client_hello: clientHello({ ja3: 'a'.repeat(32), ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1' }) }),
      mk({ client_hello: clientHello({ ja3: 'b'.repeat(32), ja4: 'T13D1516H2_8DAAF6152771_E5627EFA2AB1' }) }),
      mk({ client_hello: undefined }),
      mk({ client_hello: clientHello({ ja3: 'b'.repeat(32), ja4: 't12d0000h1_000000000000_000000000000' }) }),
    ];
    for (const by of ['ja3', 'ja4'] as const) {
      const rows = groupSessions(ss, all(ss), by);
      checkRoundTrip(ss, rows, by);
      expect(rows.find((r) => r.filter === `${by}=""`)?.label).toBe(`(no ${by.toUpperCase()})`);
    }
    expect(groupSessions(ss, all(ss), 'ja4')[0]).toMatchObject({ count: 2, label: 't13d1516h2_8daaf6152771_e5627efa2ab1' });
  });

  it('findings: a code twice in a session counts once, with its worse severity; failed = status FAILED', () => {
    const ss = [
      mk({ findings: [finding('weak_cipher', 'low'), finding('weak_cipher', 'medium')] }),
      mk({ findings: [finding('weak_cipher', 'low'), finding('cert_expired', 'high')] }), // established: WARN, not failed
      failed('cert_expired', { findings: [finding('cert_expired', 'high'), finding('weak_cipher', 'info')] }),
      mk({ established: false, findings: [finding('weak_cipher', 'medium')] }), // incomplete, not failed
      mk(),
    ];
    const rows = groupSessions(ss, all(ss), 'finding');
    expect(rows).toEqual([
      { label: 'weak_cipher', filter: 'finding=weak_cipher', count: 4, failed: 1, worst: 'medium' },
      { label: 'cert_expired', filter: 'finding=cert_expired', count: 2, failed: 1, worst: 'high' },
      { label: '(no findings)', filter: 'finding=""', count: 1, failed: 0, worst: null },
    ]);
    checkRoundTrip(ss, rows, 'finding');
  });

  it('ties in count are sorted by label', () => {
    const ss = ['c.test', 'a.test', 'b.test', 'b.test'].map((n) => mk({ server_name: n }));
    expect(groupSessions(ss, all(ss), 'sni').map((r) => r.label)).toEqual(['b.test', 'a.test', 'c.test']);
  });

  it('100,000 sessions group quickly', () => {
    const base = [mk(), failed('no_server_response'), mk({ server_name: 'b.example', findings: [finding('weak_cipher', 'medium')] })];
    const ss: Session[] = [];
    for (let i = 0; i < 100_000; i++) {
      const b = base[i % 3] as Session;
      ss.push({ ...b, id: String(i), server: { ip: `10.0.${(i >> 8) & 255}.${i & 255}`, port: 443 } });
    }
    const idx = all(ss);
    const t0 = performance.now();
    for (const by of GROUP_KEYS) groupSessions(ss, idx, by);
    const ms = performance.now() - t0;
    expect(groupSessions(ss, idx, 'sni').map((r) => r.count)).toEqual([66_667, 33_333]);
    expect(groupSessions(ss, idx, 'server').length).toBe(65_536);
    expect(ms).toBeLessThan(2000);
  });
});

describe('group layout', () => {
  const rows: GroupRow[] = [
    { label: 'api.example.com', filter: 'sni=api.example.com', count: 12345, failed: 3, worst: 'high' },
    { label: 'x'.repeat(200), filter: 'sni=x', count: 1, failed: 0, worst: null },
    { label: 'ü'.repeat(100), filter: 'sni=u', count: 7, failed: 0, worst: 'low' },
  ];

  it('rows and header are exactly the width (at 30 columns and up), never wider', () => {
    for (const w of [8, 20, 30, 40, 80, 132]) {
      for (const r of rows) {
        const t = text(groupLine(r, w));
        expect(cps(t), `${w}: ${t}`).toBeLessThanOrEqual(w);
        if (w >= 30) expect(cps(t)).toBe(w);
      }
      for (const by of GROUP_KEYS) {
        const h = text(groupHeader(by, w));
        expect(cps(h)).toBeLessThanOrEqual(w);
        if (w >= 30) expect(cps(h)).toBe(w);
      }
    }
  });

  it('a long label is cut with an ellipsis; the numbers and severity are kept', () => {
    const t = text(groupLine(rows[1] as GroupRow, 60));
    expect(t).toMatch(/^x+… +1 +0 {2}- *$/);
    const l = groupLine(rows[0] as GroupRow, 60);
    expect(text(l)).toMatch(/^api\.example\.com +12345 +3 {2}high *$/);
    expect(l.find((s) => s.text.includes('high'))?.color).toBe('red');
    expect(l.find((s) => s.text.trim() === '3')?.color).toBe('red');
    expect(text(groupLine(rows[2] as GroupRow, 60))).toContain('…');
  });

  it('the header names the key and the columns', () => {
    expect(text(groupHeader('sni', 60))).toMatch(/^SERVER NAME +SESSIONS +FAILED {2}WORST *$/);
    expect(GROUP_LABELS.ja3).toBe('JA3');
  });
});
