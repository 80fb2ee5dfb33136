import { describe, expect, it } from 'vitest';
import { evaluate, FilterError, parseFilter, versionNumber } from '../../src/tui/filter.js';
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
