import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/core/model.js';
import { Diagnosis, diagnose, primaryCause, renderDiagnoseText } from '../../src/session/diagnose.js';
import { computeFindings } from '../../src/session/findings.js';
import { safeText } from '../../src/session/safe-text.js';
import { percentile, percentiles, timingAggregates } from '../../src/session/stats.js';
import { alert, cert, makeFailedAfterClientHello, makeServerHello, makeSession } from './h6-factory.js';

const CAPTURE = new Date('2026-10-12T00:00:00Z');
function withFindings(s: Session): Session {
  s.findings = computeFindings(s, { chain: null, now: CAPTURE, captureTime: CAPTURE });
  return s;
}

describe('safeText', () => {
  it('keeps printable text, including non-ASCII letters and emoji', () => {
    expect(safeText('api.example.com')).toBe('api.example.com');
    expect(safeText('bücher.de 日本 😀')).toBe('bücher.de 日本 😀');
  });
  it('escapes controls, ANSI/OSC sequences, DEL and C1', () => {
    expect(safeText('a\x1b[31mred\x1b[0m')).toBe('a\\x1b[31mred\\x1b[0m');
    expect(safeText('\x1b]8;;http://x\x07link\x1b]8;;\x07')).toBe('\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07');
    expect(safeText('l1\r\nl2\t\x00\x7f\x9b')).toBe('l1\\x0d\\x0al2\\x09\\x00\\x7f\\x9b');
  });
  it('escapes bidi overrides, zero-width and odd spaces, lone surrogates, private use', () => {
    expect(safeText('abc\u202Egnp.exe')).toBe('abc\\u{202e}gnp.exe');
    expect(safeText('\u2066x\u2069\u200B\u200F\uFEFF')).toBe('\\u{2066}x\\u{2069}\\u{200b}\\u{200f}\\u{feff}');
    expect(safeText('a\u00A0b\u2028c')).toBe('a\\xa0b\\u{2028}c');
    expect(safeText('x\uD800y\uE000')).toBe('x\\u{d800}y\\u{e000}');
  });
  it('escapes the backslash so the output is unambiguous', () => {
    expect(safeText('a\\x1b')).toBe('a\\\\x1b');
  });
  it('never lets a control or bidi character through (property)', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = safeText(s);
        return !/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/u.test(out);
      }),
    );
  });
});

describe('stats', () => {
  it('nearest-rank percentiles', () => {
    const v = [15, 20, 35, 40, 50];
    expect(percentile(v, 30)).toBe(20);
    expect(percentile(v, 40)).toBe(20);
    expect(percentile(v, 50)).toBe(35);
    expect(percentile(v, 100)).toBe(50);
    expect(percentile([], 50)).toBeNull();
    const hundred = [...Array(100).keys()].map((i) => i + 1);
    expect(percentiles(hundred)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99 });
  });
  it('aggregates by server name and by address', () => {
    const a = makeSession({ id: 'a', timing: { ...makeSession().timing, handshake_ms: 100, client_hello_to_server_hello_ms: 10 } });
    const b = makeSession({ id: 'b', timing: { ...makeSession().timing, handshake_ms: 300, client_hello_to_server_hello_ms: 30 } });
    const c = makeSession({ id: 'c', server_name: null, server: { ip: '2001:db8::1', port: 8443 } });
    const t = timingAggregates([a, b, c]);
    expect(Object.keys(t.by_server_name)).toEqual(['api.example.com']);
    expect(t.by_server_name['api.example.com']?.handshake_ms).toEqual({ count: 2, p50: 100, p90: 300, p99: 300 });
    expect(Object.keys(t.by_server)).toEqual(['10.0.0.2:443', '[2001:db8::1]:8443']);
    expect(t.by_server['10.0.0.2:443']?.count).toBe(2);
  });
});

describe('diagnose', () => {
  const expired = (id: string) =>
    withFindings(
      makeSession({
        id,
        established: false,
        certificates: [cert({ not_after: '2026-10-01T00:00:00Z', sha256: 'ee'.repeat(32) })],
        alerts: [alert(45, 'certificate_expired', 'client', 'server_hello_done')],
        timing: { ...makeSession().timing, handshake_ms: null },
      }),
    );
  const silent = (id: string) => withFindings(makeFailedAfterClientHello({ id, server_name: 'down.example.net', server: { ip: '10.0.0.9', port: 8443 } }));
  const weak = withFindings(
    makeSession({ id: 'w', server_name: 'old.example.org', cipher_suite_name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', server_hello: makeServerHello({ cipher_suite_name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA' }), certificates: [cert({ not_after: '2026-10-20T00:00:00Z', subject_cn: 'old.example.org', sha256: 'cc'.repeat(32) })], timing: { ...makeSession().timing, handshake_ms: 950 } }),
  );
  const ok = withFindings(makeSession({ id: 'ok' }));
  const sessions = [...Array(9).keys()].map((i) => expired(`e${i}`)).concat([silent('s1'), silent('s2'), weak, ok]);

  it('groups failures by server and cause with a sentence', () => {
    const r = diagnose(sessions, { captureStart: CAPTURE, captureEnd: new Date('2026-10-12T01:00:00Z') });
    expect(r.totals).toMatchObject({ sessions: 13, established: 2, failed: 11, incomplete: 0, servers: 3 });
    expect(r.failures).toHaveLength(2);
    expect(r.failures[0]).toMatchObject({ server: 'api.example.com', cause: 'cert_expired', count: 9, severity: 'high' });
    expect(r.failures[0]?.message).toBe('9 sessions to api.example.com failed: certificate expired on 2026-10-01, 11 days before this capture');
    expect(r.failures[1]).toMatchObject({ server: 'down.example.net:8443', cause: 'no_server_response', count: 2 });
    expect(r.failures[1]?.message).toBe('2 sessions to down.example.net:8443 failed: no answer to the ClientHello');
    expect(r.max_severity).toBe('high');
    expect(r.period.duration_s).toBe(3600);
  });

  it('lists weaknesses per server, slowest handshakes and certificates by expiry', () => {
    const r = diagnose(sessions, { captureStart: CAPTURE, captureEnd: CAPTURE });
    const w = r.weaknesses.find((x) => x.server === 'old.example.org');
    expect(w?.findings.map((f) => f.code)).toEqual(['no_forward_secrecy', 'weak_cipher', 'cert_expiring_soon']);
    expect(r.slowest_handshakes[0]).toMatchObject({ id: 'w', handshake_ms: 950 });
    expect(r.expiring_certificates.map((c) => c.days_left)).toEqual([-11, 8, 81]);
  });

  it('primaryCause prefers the specific cause over handshake_failed', () => {
    expect(primaryCause(expired('x'))?.code).toBe('cert_expired');
    expect(primaryCause(ok)).toBeNull();
  });

  it('primaryCause skips a medium certificate warning when a high failure explains the session', () => {
    const s = makeSession({
      established: false,
      client_certificate_requested: true,
      alerts: [alert(40, 'handshake_failure', 'server', 'finished')],
    });
    s.findings = computeFindings(s, { chain: { ordered: true, linkErrors: [], trusted: false, anchor: null, selfSigned: false, incomplete: false, missingIssuer: null, validity: ['valid'], leafValidityOffsetSec: 0, hostnameMatches: true, weak: [] }, now: CAPTURE, captureTime: CAPTURE });
    expect(s.findings.find((f) => f.code === 'cert_untrusted')?.severity).toBe('medium');
    expect(primaryCause(s)?.code).toBe('client_cert_missing');
  });

  it('max_severity for --fail-on', () => {
    const ctx = { captureStart: CAPTURE, captureEnd: CAPTURE };
    expect(diagnose([ok], ctx).max_severity).toBeNull();
    expect(diagnose([ok, weak], ctx).max_severity).toBe('medium');
    expect(diagnose(sessions, ctx).max_severity).toBe('high');
  });

  it('renders text with every wire string escaped', () => {
    const hostile = withFindings(makeFailedAfterClientHello({ id: 'h', server_name: 'x\x1b[2J\u202eevil' }));
    const text = renderDiagnoseText(diagnose([...sessions, hostile], { captureStart: CAPTURE, captureEnd: CAPTURE }));
    expect(text).toContain('14 TLS sessions to 4 servers: 2 established, 12 failed, 0 incomplete');
    expect(text).toContain('[high] 9 sessions to api.example.com failed: certificate expired on 2026-10-01, 11 days before this capture');
    expect(text).toContain('Slowest handshakes');
    expect(text).toContain('Certificates by expiry');
    expect(text).toContain('x\\x1b[2J\\u{202e}evil');
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
  });

  it('a NUL in the server name neither splits the group nor lets its text through unescaped', () => {
    const name = 'ok.example\x00\x1b[2J\x1b]0;pwned\x07';
    const hostile = withFindings(makeFailedAfterClientHello({ id: 'n', server_name: name }));
    const r = diagnose([hostile], { captureStart: CAPTURE, captureEnd: CAPTURE });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({ server: name, cause: primaryCause(hostile)?.code });
    const text = renderDiagnoseText(r);
    expect(text).toContain('ok.example\\x00\\x1b[2J');
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('capture times a Date cannot hold (hostile pcapng timestamps) count as unknown', () => {
    const bad = new Date(8.7e15);
    expect(Number.isNaN(bad.getTime())).toBe(true);
    const r = diagnose(sessions, { captureStart: bad, captureEnd: bad });
    expect(r.period).toEqual({ start: null, end: null, duration_s: null });
    expect(() => renderDiagnoseText(r)).not.toThrow();
  });

  it('says so when there is nothing to report', () => {
    const text = renderDiagnoseText(diagnose([ok], { captureStart: null, captureEnd: null }));
    expect(text).toContain('No problems found.');
  });
});

describe('Diagnosis (the report built as sessions complete, as `tlsscope diagnose` does)', () => {
  it('gives the report of the sorted sessions whatever order they come in, on every capture', async () => {
    const { analyze, bySessionStart } = await import('../../src/analyze.js');
    const { existsSync } = await import('node:fs');
    const { captureFiles, FIXTURES, SHARED } = await import('../e2e/helpers.js');
    const files = [...captureFiles(FIXTURES), ...(existsSync(SHARED) ? captureFiles(SHARED) : [])];
    let failures = 0;
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (const f of files) {
      let r;
      try {
        r = await analyze(f, { now: CAPTURE });
      } catch {
        continue; // not a capture we read (covered by the capture tests)
      }
      const ctx = { captureStart: CAPTURE, captureEnd: CAPTURE };
      const sorted = [...r.sessions].sort(bySessionStart);
      const want = diagnose(sorted, ctx);
      // completion order is not start order: feed them reversed, and shuffled
      const shuffled = [...sorted];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rnd(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      for (const order of [[...sorted].reverse(), shuffled]) {
        const d = new Diagnosis();
        for (const s of order) d.add(s, [s.start_ts, s.flow_id, s.handshake_index]);
        expect(d.report(ctx), f).toEqual(want);
      }
      failures += want.failures.length;
    }
    expect(failures).toBeGreaterThan(3);
  }, 120_000);

  it('keeps the first sessions of a failure group in order, at most 20 ids', () => {
    const ctx = { captureStart: CAPTURE, captureEnd: CAPTURE };
    const many = Array.from({ length: 30 }, (_, i) => {
      const s = withFindings(makeFailedAfterClientHello());
      s.id = `${i}-0`;
      return s;
    });
    const d = new Diagnosis();
    for (let i = many.length - 1; i >= 0; i--) d.add(many[i]!, [i, 0, 0]);
    const g = d.report(ctx).failures[0]!;
    expect(g.count).toBe(30);
    expect(g.sessions).toEqual(many.slice(0, 20).map((s) => s.id));
    expect(d.report(ctx)).toEqual(diagnose(many, ctx));
  });
});
