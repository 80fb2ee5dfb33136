import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/core/model.js';
import { compileFilter, evaluate, FILTER_FIELDS, FilterError, parseFilter, quoteValue, statusWords, versionNumber, type FilterExpr } from '../../src/tui/filter.js';
import { failed, finding, mk, clientHello } from './sessions.js';

function errAt(src: string): { pos: number; message: string } {
  try {
    parseFilter(src);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return { pos: (e as FilterError).pos, message: (e as FilterError).message };
  }
  throw new Error(`no error for ${src}`);
}

describe('filter parser', () => {
  it('blank is no filter', () => {
    expect(parseFilter('')).toBeNull();
    expect(parseFilter('   ')).toBeNull();
  });

  it('juxtaposition is AND, or binds looser, not and - negate', () => {
    expect(parseFilter('sni:a port:443 or b')).toEqual({
      kind: 'or',
      left: {
        kind: 'and',
        left: { kind: 'term', field: 'sni', op: ':', values: ['a'], pos: 0 },
        right: { kind: 'term', field: 'port', op: ':', values: ['443'], pos: 6 },
      },
      right: { kind: 'word', word: 'b', pos: 18 },
    });
    expect(parseFilter('-sni:x')).toEqual({ kind: 'not', expr: { kind: 'term', field: 'sni', op: ':', values: ['x'], pos: 1 } });
    expect(parseFilter('not (a or b)')).toMatchObject({ kind: 'not', expr: { kind: 'or' } });
    expect(parseFilter('a and b')).toMatchObject({ kind: 'and' });
  });

  it('operators, alternatives and quotes', () => {
    expect(parseFilter('severity>=high')).toMatchObject({ kind: 'term', field: 'severity', op: '>=', values: ['high'] });
    expect(parseFilter('status:failed|resumed')).toMatchObject({ values: ['failed', 'resumed'] });
    expect(parseFilter('"or"')).toEqual({ kind: 'word', word: 'or', pos: 0 });
    expect(parseFilter('sni:"a b"')).toMatchObject({ field: 'sni', values: ['a b'] });
    expect(parseFilter('2001:db8::1')).toMatchObject({ kind: 'word', word: '2001:db8::1' });
  });

  it('errors carry the position of the offending text', () => {
    expect(errAt('sni:a bogus:1')).toMatchObject({ pos: 6, message: expect.stringContaining("unknown field 'bogus'") });
    expect(errAt('(sni:a')).toMatchObject({ pos: 6, message: "missing ')'" });
    expect(errAt('sni:a )')).toMatchObject({ pos: 6 });
    expect(errAt('port:99999')).toMatchObject({ pos: 5, message: expect.stringContaining('bad port') });
    expect(errAt('status:ok|nope')).toMatchObject({ pos: 10 });
    expect(errAt('severity>=urgent')).toMatchObject({ pos: 10 });
    expect(errAt('sni>x')).toMatchObject({ pos: 3, message: expect.stringContaining("'>'") });
    expect(errAt('sni:')).toMatchObject({ pos: 4, message: expect.stringContaining('needs a value') });
    expect(errAt('a or')).toMatchObject({ pos: 4, message: 'expected a term' });
    expect(errAt('or a')).toMatchObject({ pos: 0 });
    expect(errAt('not')).toMatchObject({ pos: 3 });
    expect(errAt('()')).toMatchObject({ pos: 1, message: 'empty parentheses' });
    expect(errAt('sni:"abc')).toMatchObject({ pos: 4, message: 'unterminated quote' });
    expect(errAt('server:10.0.0.0/40')).toMatchObject({ pos: 7 });
  });
});

describe('filter evaluator', () => {
  const ok = mk({ server_name: 'api.example.com', server: { ip: '10.0.0.1', port: 443 } });
  const other = mk({ server_name: 'www.example.org', server: { ip: '10.0.0.10', port: 8443 }, version: 0x0303, version_name: 'TLS 1.2', alpn: null, client_hello: clientHello({ alpn: ['http/1.1'], ja4: 't12d0909h1_aaa_bbb' }) });
  const bad = failed('cert_expired', { server_name: 'old.example.net', server: { ip: '203.0.113.9', port: 443 } });
  const resumed = mk({ resumed: true, server_name: null, findings: [finding('resumed', 'info')] });
  const weak = mk({ server_name: 'weak.test', findings: [finding('weak_protocol', 'medium')], timing: { ...mk().timing, handshake_ms: 250 } });
  const all = [ok, other, bad, resumed, weak];
  const pick = (f: string): string[] => all.filter((s) => evaluate(parseFilter(f), s)).map((s) => s.id);

  it('fields', () => {
    expect(pick('sni:EXAMPLE.COM')).toEqual([ok.id]);
    expect(pick('server:10.0.0.1')).toEqual([ok.id]);
    expect(pick('server:10.0.0.')).toEqual([ok.id, other.id]);
    expect(pick('server:10.0.0.0/24')).toEqual([ok.id, other.id]);
    expect(pick('server:10.0.0.10:8443')).toEqual([other.id]);
    expect(pick('port:8443')).toEqual([other.id]);
    expect(pick('port>443')).toEqual([other.id]);
    expect(pick('version:1.2')).toEqual([other.id]);
    expect(pick('version:tls1.3')).toEqual([ok.id, resumed.id, weak.id]);
    expect(pick('version<1.3')).toEqual([other.id]);
    expect(pick('status:failed')).toEqual([bad.id]);
    expect(pick('status:resumed')).toEqual([resumed.id]);
    expect(pick('status:ok')).toEqual([ok.id, other.id, resumed.id, weak.id]);
    expect(pick('finding:expired')).toEqual([bad.id]);
    expect(pick('severity>=medium')).toEqual([bad.id, weak.id]);
    expect(pick('severity:info')).toEqual([resumed.id]);
    expect(pick('ja4:t12d')).toEqual([other.id]);
    expect(pick('alpn:h2')).toEqual([ok.id, bad.id, resumed.id, weak.id]);
    expect(pick('alpn:http/1.1')).toEqual(all.map((s) => s.id));
    expect(pick('ms>200')).toEqual([weak.id]);
    expect(pick('cipher:aes_128')).toEqual([ok.id, other.id, resumed.id, weak.id]);
  });

  it('bare words, boolean structure', () => {
    expect(pick('old')).toEqual([bad.id]);
    expect(pick('203.0.113')).toEqual([bad.id]);
    expect(pick('weak_protocol')).toEqual([weak.id]);
    expect(pick('example -sni:api')).toEqual([other.id, bad.id]);
    expect(pick('not status:ok')).toEqual([bad.id]);
    expect(pick('(sni:api or sni:www) port:443')).toEqual([ok.id]);
    expect(pick('status!=ok')).toEqual([bad.id]);
  });

  it('version names', () => {
    expect(versionNumber('1.2')).toBe(0x0303);
    expect(versionNumber('TLS 1.3')).toBe(0x0304);
    expect(versionNumber('ssl3')).toBe(0x0300);
    expect(versionNumber('dtls1.2')).toBe(0xfefd);
    expect(versionNumber('h2')).toBeNull();
  });
});

describe('issue #5 filter language', () => {
  const g1 = mk({ server_name: 'www.google.com', server: { ip: '10.0.0.1', port: 443 } });
  const g2 = mk({ server_name: 'GoogleAPIs.com', server: { ip: '10.0.0.2', port: 8443 }, alpn: 'http/1.1', client_hello: clientHello({ alpn: ['http/1.1'], ja4: 't12d0909h1_aaa_bbb' }) });
  const legacy = mk({
    server_name: 'legacy.example', server: { ip: '192.0.2.50', port: 443 }, version: 0x0301, version_name: 'TLS 1.0',
    cipher_suite: 0xc013, cipher_suite_name: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', alpn: null,
    client_hello: clientHello({ alpn: [], ja3: '0123456789abcdef0123456789abcdef', ja4: 't10d0101h0_111_222' }),
  });
  const tls11 = mk({ server_name: 'old11.example', version: 0x0302, version_name: 'TLS 1.1', cipher_suite: 0x002f, cipher_suite_name: 'TLS_RSA_WITH_AES_128_CBC_SHA' });
  const expired = failed('cert_expired', { server_name: 'expired.example', server: { ip: '203.0.113.9', port: 443 } });
  const soon = mk({ server_name: 'soon.example', findings: [finding('cert_expired_soon', 'low')] });
  const back = mk({ server_name: 'back.example', server: { ip: '198.51.100.7', port: 993 }, client: { ip: '10.1.1.1', port: 443 } });
  const v6 = mk({ server_name: null, server: { ip: '2001:db8::1', port: 443 }, client: { ip: 'fe80::1', port: 51000 } });
  const all = [g1, g2, legacy, tls11, expired, soon, back, v6];
  const pick = (f: string): string[] => all.filter((s) => evaluate(parseFilter(f), s)).map((s) => s.id);
  const ids = (...ss: { id: string }[]): string[] => ss.map((s) => s.id);

  it('every example from the issue', () => {
    expect(pick('sni~google')).toEqual(ids(g1, g2));
    expect(pick('server=10.0.0.1')).toEqual(ids(g1));
    expect(pick('port=443')).toEqual(ids(g1, legacy, tls11, expired, soon, back, v6));
    expect(pick('version<1.2')).toEqual(ids(legacy, tls11));
    expect(pick('version=1.3')).toEqual(ids(g1, g2, soon, back, v6));
    expect(pick('cipher~CBC')).toEqual(ids(legacy, tls11));
    expect(pick('status=failed')).toEqual(ids(expired));
    expect(pick('finding=cert_expired')).toEqual(ids(expired));
    expect(pick('ja3=0123456789ABCDEF0123456789abcdef')).toEqual(ids(legacy));
    expect(pick('ja4~t13d')).toEqual(ids(g1, tls11, expired, soon, back, v6));
    expect(pick('alpn=h2')).toEqual(ids(g1, tls11, expired, soon, back, v6));
  });

  it('combinations from the issue: spaces (AND), or, not', () => {
    expect(pick('sni~google port=443')).toEqual(ids(g1));
    expect(pick('sni~google and port=443')).toEqual(ids(g1));
    expect(pick('status=failed or version<1.2')).toEqual(ids(legacy, tls11, expired));
    expect(pick('not alpn=h2')).toEqual(ids(g2, legacy));
    expect(pick('-alpn=h2')).toEqual(ids(g2, legacy));
    expect(pick('cipher~CBC not version=1.0')).toEqual(ids(tls11));
  });

  it('precedence: not > and > or, parentheses group', () => {
    // a or b c  ==  a or (b and c)
    expect(parseFilter('sni~a or sni~b port=1')).toMatchObject({ kind: 'or', right: { kind: 'and' } });
    expect(pick('sni~google or sni~example port=993')).toEqual(ids(g1, g2, back));
    expect(pick('(sni~google or sni~example) port=993')).toEqual(ids(back));
    // not binds to the next term only
    expect(parseFilter('not sni~a port=1')).toMatchObject({ kind: 'and', left: { kind: 'not' } });
    expect(pick('not sni~google version=1.3')).toEqual(ids(soon, back, v6));
    expect(pick('not (sni~google or version=1.3)')).toEqual(ids(legacy, tls11, expired));
    expect(pick('-(sni~google or version=1.3)')).toEqual(ids(legacy, tls11, expired));
    expect(pick('not not sni~google')).toEqual(ids(g1, g2));
    expect(pick('SNI~GOOGLE OR STATUS=FAILED')).toEqual(ids(g1, g2, expired));
  });

  it('= is exact, ~ and : contain', () => {
    expect(pick('sni=www.google.com')).toEqual(ids(g1));
    expect(pick('sni=google.com')).toEqual([]);
    expect(pick('sni=GOOGLEAPIS.COM')).toEqual(ids(g2));
    expect(pick('sni:google')).toEqual(pick('sni~google'));
    expect(pick('sni=""')).toEqual(ids(v6));
    expect(pick('sni!=""')).toEqual(ids(g1, g2, legacy, tls11, expired, soon, back));
    expect(pick('finding~cert_expired')).toEqual(ids(expired, soon));
    expect(pick('finding=cert_expired_soon')).toEqual(ids(soon));
    expect(pick('finding=""')).toEqual(ids(g1, g2, legacy, tls11, back, v6));
    expect(pick('ja3=0123456789abcdef')).toEqual([]);
    expect(pick('ja3~0123456789abcdef')).toEqual(ids(legacy));
    expect(pick('ja4=t10d0101h0_111_222')).toEqual(ids(legacy));
    expect(pick('ja4=t10d')).toEqual([]);
    expect(pick('id=' + back.id)).toEqual(ids(back));
    expect(pick('id!=' + back.id)).toHaveLength(all.length - 1);
    expect(pick('alpn=http/1.1')).toEqual(all.filter((s) => s !== legacy).map((s) => s.id)); // negotiated or offered
    expect(pick('alpn=""')).toEqual(ids(legacy));
    expect(pick('alpn~http')).toEqual(pick('alpn=http/1.1'));
  });

  it('addresses: ip, ip:port, [v6]:port, CIDR, prefixes', () => {
    expect(pick('server=10.0.0.2:8443')).toEqual(ids(g2));
    expect(pick('server=10.0.0.2:443')).toEqual([]);
    expect(pick('server=10.0.0.0/24')).toEqual(ids(g1, g2));
    expect(pick('server!=10.0.0.0/24')).toEqual(ids(legacy, tls11, expired, soon, back, v6));
    expect(pick('ip=10.0.0.0/8')).toEqual(ids(g1, g2, back));
    expect(pick('client=10.1.1.1:443')).toEqual(ids(back));
    expect(pick('server=2001:db8::1')).toEqual(ids(v6));
    expect(pick('server=2001:0DB8:0:0:0:0:0:1')).toEqual(ids(v6));
    expect(pick('server=[2001:db8::1]:443')).toEqual(ids(v6));
    expect(pick('server=[2001:db8::1]:80')).toEqual([]);
    expect(pick('server=2001:db8::/32')).toEqual(ids(v6));
    expect(pick('ip=fe80::/10')).toEqual(ids(v6));
    expect(pick('server=2001:db9::/32')).toEqual([]);
    expect(pick('server~10.0.0.')).toEqual(ids(g1, g2));
    expect(pick('server~203.0.113')).toEqual(ids(expired));
    expect(pick('server~2001:db8:')).toEqual(ids(v6));
  });

  it('ports, versions, ciphers by name and code', () => {
    expect(pick('port=993')).toEqual(ids(back));
    expect(pick('port!=443')).toEqual(ids(g2));
    expect(pick('port>443')).toEqual(ids(g2, back)); // ordering compares the server port
    expect(pick('port>=8443 port<=8443')).toEqual(ids(g2));
    expect(pick('version=tls1.0|1.1')).toEqual(ids(legacy, tls11));
    expect(pick('version="TLS 1.1"')).toEqual(ids(tls11));
    expect(pick('version>=1.2')).toEqual(ids(g1, g2, soon, back, v6));
    expect(pick('version<=tls1.1')).toEqual(ids(legacy, tls11));
    expect(pick('version!=1.3')).toEqual(ids(legacy, tls11, expired));
    expect(pick('version=""')).toEqual(ids(expired));
    expect(pick('version=dtls1.2')).toEqual([]);
    expect(pick('cipher=TLS_RSA_WITH_AES_128_CBC_SHA')).toEqual(ids(tls11));
    expect(pick('cipher=rsa_with_aes_128_cbc_sha')).toEqual(ids(tls11)); // without the TLS_ prefix
    expect(pick('cipher=0x1301')).toEqual(ids(g1, g2, soon, back, v6));
    expect(pick('cipher=0xC013')).toEqual(ids(legacy));
    expect(pick('cipher=AES')).toEqual([]);
    expect(pick('cipher=""')).toEqual(ids(expired));
  });

  it('status words, cause, severity, ms', () => {
    const warn = mk({ server_name: 'w', findings: [finding('cert_expired', 'high')] });
    const resumed = mk({ resumed: true, resumption: 'ticket' });
    const noSh = failed('no_server_response', { flags: { ...mk().flags, server_hello_seen: false } });
    const mid = mk({ established: false, findings: [], flags: { ...mk().flags, midstream: true } });
    const plain = mk({ established: false, findings: [finding('weak_protocol', 'medium')] });
    const ok = mk();
    const ss = [warn, resumed, noSh, mid, plain, ok];
    const sel = (f: string): string[] => ss.filter((s) => evaluate(parseFilter(f), s)).map((s) => s.id);
    expect(sel('status=ok')).toEqual(ids(resumed, ok));
    expect(sel('status=warn')).toEqual(ids(warn));
    expect(sel('status=established')).toEqual(ids(warn, resumed, ok));
    expect(sel('status=resumed')).toEqual(ids(resumed));
    expect(sel('status=failed')).toEqual(ids(noSh));
    expect(sel('status=incomplete')).toEqual(ids(mid, plain));
    expect(sel('status=partial')).toEqual(ids(noSh, mid));
    expect(sel('status=ok|warn')).toEqual(sel('status=established'));
    expect(sel('status!=established')).toEqual(ids(noSh, mid, plain));
    for (const s of ss) expect(statusWords(s).length).toBeGreaterThan(0);
    expect(statusWords(resumed)).toEqual(['ok', 'resumed', 'established']);
    // cause: primaryCause() of the session
    expect(sel('cause=no_server_response')).toEqual(ids(noSh));
    expect(sel('cause~server')).toEqual(ids(noSh));
    expect(sel('cause=cert_expired')).toEqual([]); // established sessions have no cause
    expect(sel('cause=""')).toEqual(ids(warn, resumed, mid, plain, ok));
    expect(sel('cause!=""')).toEqual(ids(noSh));
    // severity: the worst finding
    expect(sel('severity=high')).toEqual(ids(warn, noSh));
    expect(sel('severity=medium')).toEqual(ids(plain));
    expect(sel('severity=none')).toEqual(ids(resumed, mid, ok));
    expect(sel('severity<medium')).toEqual(ids(resumed, mid, ok));
    expect(sel('severity>=medium')).toEqual(ids(warn, noSh, plain));
    // ms
    const slow = mk({ timing: { ...mk().timing, handshake_ms: 250.5 } });
    const none = mk({ timing: { ...mk().timing, handshake_ms: null } });
    const t = [slow, none, ok];
    const tsel = (f: string): string[] => t.filter((s) => evaluate(parseFilter(f), s)).map((s) => s.id);
    expect(tsel('ms>100')).toEqual(ids(slow));
    expect(tsel('ms=30')).toEqual(ids(ok));
    expect(tsel('ms<=30')).toEqual(ids(ok));
    expect(tsel('ms!=30')).toEqual(ids(slow, none));
  });

  it('ja3s is the server hello hash', () => {
    const sh = { version: 771, version_name: 'TLS 1.2', random: '', session_id: '', cipher_suite: 0x1301, cipher_suite_name: 'x', compression_method: 0, extensions: [], extension_details: [], hello_retry_request: false, length: 1, ja3s: 'FEEDFACE00', ja3s_full: '771,4865,43' };
    const a = mk({ server_hello: sh });
    const b = mk();
    expect(evaluate(parseFilter('ja3s=feedface00'), a)).toBe(true);
    expect(evaluate(parseFilter('ja3s=feedface00'), b)).toBe(false);
    expect(evaluate(parseFilter('ja3s~4865'), a)).toBe(true);
    expect(evaluate(parseFilter('ja3s=""'), b)).toBe(true);
  });

  it('quoted values: spaces, |, parentheses, quotes, escapes', () => {
    const sp = mk({ server_name: 'a b|c (d) "e" \\f' });
    const other = mk({ server_name: 'a b' });
    const sel = (f: string): string[] => [sp, other].filter((s) => evaluate(parseFilter(f), s)).map((s) => s.id);
    expect(sel('sni="a b"')).toEqual(ids(other));
    expect(sel('sni~"a b"')).toEqual(ids(sp, other));
    expect(sel('sni="A B|C (D) \\"E\\" \\\\f"')).toEqual(ids(sp));
    expect(sel('sni="a b"|"x"')).toEqual(ids(other));
    expect(parseFilter('sni="a|b"|c')).toMatchObject({ values: ['a|b', 'c'] });
    expect(parseFilter('sni=x"y z"')).toMatchObject({ values: ['xy z'] });
    expect(parseFilter('"sni=x"')).toEqual({ kind: 'word', word: 'sni=x', pos: 0 });
    expect(parseFilter('"not"')).toEqual({ kind: 'word', word: 'not', pos: 0 });
  });

  it('quoteValue quotes only when needed', () => {
    expect(quoteValue('example.com')).toBe('example.com');
    expect(quoteValue('10.0.0.1:443')).toBe('10.0.0.1:443');
    expect(quoteValue('[::1]:443')).toBe('[::1]:443');
    expect(quoteValue('')).toBe('""');
    expect(quoteValue('a b')).toBe('"a b"');
    expect(quoteValue('a|b')).toBe('"a|b"');
    expect(quoteValue('(x)')).toBe('"(x)"');
    expect(quoteValue('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(pick(`server=${quoteValue('[2001:db8::1]:443')}`)).toEqual(ids(v6));
  });

  it('property: sni=${quoteValue(s)} selects exactly the sessions named s (any case)', () => {
    const name = (unit: 'grapheme-ascii' | 'grapheme' | 'binary') => fc.string({ unit, maxLength: 12 });
    for (const unit of ['grapheme-ascii', 'grapheme', 'binary'] as const) {
      fc.assert(
        fc.property(name(unit), fc.array(fc.oneof(name(unit), fc.constant(null)), { maxLength: 6 }), fc.boolean(), (s, names, upper) => {
          const ss = [...names, upper ? s.toUpperCase() : s].map((n) => mk({ server_name: n }));
          const expr = parseFilter(`sni=${quoteValue(s)}`);
          const got = ss.filter((x) => evaluate(expr, x)).map((x) => x.id);
          const want = ss.filter((x) => (x.server_name ?? '').toLowerCase() === s.toLowerCase()).map((x) => x.id);
          expect(got).toEqual(want);
          // and ~ finds it as a substring
          if (s !== '') {
            const last = ss[ss.length - 1] as Session;
            expect(evaluate(parseFilter(`sni~${quoteValue(s)}`), last)).toBe((last.server_name as string).toLowerCase().includes(s.toLowerCase()));
          }
        }),
        { numRuns: 300 },
      );
    }
  });

  it('errors: kind and position', () => {
    expect(errAt('sni~a nope=1')).toMatchObject({ pos: 6, message: expect.stringContaining("unknown field 'nope'") });
    expect(errAt('x=1')).toMatchObject({ pos: 0, message: expect.stringContaining('unknown field') });
    expect(errAt('port=443 sni=')).toMatchObject({ pos: 13, message: expect.stringContaining('needs a value') });
    expect(errAt('sni~')).toMatchObject({ pos: 4, message: expect.stringContaining('needs a value') });
    expect(errAt('status=failed|')).toMatchObject({ pos: 14, message: 'empty value' });
    expect(errAt('sni~""')).toMatchObject({ pos: 4, message: expect.stringContaining('empty value') });
    expect(errAt('port=""')).toMatchObject({ pos: 5 });
    expect(errAt('sni<abc')).toMatchObject({ pos: 3, message: expect.stringContaining("'<' does not apply to sni") });
    expect(errAt('port=1 cipher>=x')).toMatchObject({ pos: 13, message: expect.stringContaining("'>='") });
    expect(errAt('ja3<=x')).toMatchObject({ pos: 3 });
    expect(errAt('version<1.9')).toMatchObject({ pos: 8, message: expect.stringContaining('bad version') });
    expect(errAt('version=h2')).toMatchObject({ pos: 8, message: expect.stringContaining('bad version') });
    expect(errAt('version=1.3|tls9')).toMatchObject({ pos: 12, message: expect.stringContaining('bad version') });
    expect(errAt('ms>fast')).toMatchObject({ pos: 3, message: expect.stringContaining('bad number') });
    expect(errAt('port=http')).toMatchObject({ pos: 5, message: expect.stringContaining('bad port') });
    expect(errAt('server=10.0.0.0/33')).toMatchObject({ pos: 7, message: expect.stringContaining('bad CIDR') });
    expect(errAt('ip=2001:db8::/129')).toMatchObject({ pos: 3, message: expect.stringContaining('bad CIDR') });
    expect(errAt('server=10.0.0.300')).toMatchObject({ pos: 7, message: expect.stringContaining('bad address') });
    expect(errAt('client=example.com')).toMatchObject({ pos: 7, message: expect.stringContaining('bad address') });
    expect(errAt('severity=urgent')).toMatchObject({ pos: 9, message: expect.stringContaining('bad severity') });
    expect(errAt('status=up')).toMatchObject({ pos: 7, message: expect.stringContaining('bad status') });
    expect(errAt('(sni~a or port=1')).toMatchObject({ pos: 16, message: "missing ')'" });
    expect(errAt('sni~a)')).toMatchObject({ pos: 5, message: "unmatched ')'" });
    expect(errAt('((sni~a)')).toMatchObject({ pos: 8, message: "missing ')'" });
    expect(errAt(')')).toMatchObject({ pos: 0, message: "unexpected ')'" });
    expect(errAt('-sni~a or')).toMatchObject({ pos: 9, message: 'expected a term' });
    expect(errAt('sni="a')).toMatchObject({ pos: 4, message: 'unterminated quote' });
    expect(errAt('a and or b')).toMatchObject({ pos: 6 });
    expect(errAt('sni = google')).toMatchObject({ pos: 4, message: expect.stringContaining("'=' needs a field") });
    expect(errAt('port >=443')).toMatchObject({ pos: 5, message: expect.stringContaining("'>=' needs a field") });
    expect(parseFilter('-"a b"')).toEqual({ kind: 'not', expr: { kind: 'word', word: 'a b', pos: 1 } });
    expect(parseFilter('::1')).toEqual({ kind: 'word', word: '::1', pos: 0 });
  });

  it('compileFilter agrees with evaluate and is cached', () => {
    const e = parseFilter('(sni~google or status=failed) -port=8443') as FilterExpr;
    const p = compileFilter(e);
    expect(compileFilter(e)).toBe(p);
    expect(all.filter(p).map((s) => s.id)).toEqual(all.filter((s) => evaluate(e, s)).map((s) => s.id));
    expect(all.filter(p).map((s) => s.id)).toEqual(ids(g1, expired));
    expect(compileFilter(null)(g1)).toBe(true);
  });

  it('help has one short line per field, and lists every status word', () => {
    for (const [k, v] of Object.entries(FILTER_FIELDS)) {
      expect(v).not.toContain('\n');
      expect(`  ${k}: ${v}`.length).toBeLessThanOrEqual(k === 'status' ? 70 : 38); // two 40-column halves at 80 wide
    }
    for (const w of ['ok', 'warn', 'failed', 'resumed', 'incomplete', 'established', 'partial']) expect(FILTER_FIELDS.status).toContain(w);
    for (const f of ['sni', 'server', 'port', 'version', 'cipher', 'status', 'finding', 'cause', 'ja3', 'ja3s', 'ja4', 'alpn', 'id', 'ms', 'severity']) expect(Object.hasOwn(FILTER_FIELDS, f)).toBe(true);
  });

  it('a large view filters quickly', () => {
    const many: Session[] = [];
    for (let i = 0; i < 100_000; i++) many.push(all[i % all.length] as Session);
    const e = parseFilter('(sni~GOOGLE or server=10.0.0.0/8 or ip=2001:db8::/32) not status=failed version>=1.2 cipher~aes') as FilterExpr;
    evaluate(e, g1);
    const t0 = performance.now();
    let n = 0;
    for (const s of many) if (evaluate(e, s)) n++;
    expect(n).toBe((100_000 / all.length) * 3); // g1, g2, v6
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
