import { describe, expect, it } from 'vitest';
import type { CertificateJson } from '../../src/core/model.js';
import { matchesHostname, normalizeIp } from '../../src/x509/hostname.js';
import { summarizeCertificate } from '../../src/x509/summary.js';
import { der } from './helpers.js';

function fake(dns: string[], cn: string | null = null, ip: string[] = []): CertificateJson {
  return { sha256: '', der: '', length: 0, subject_cn: cn, san: { dns, ip, email: [], uri: [] } };
}

describe('matchesHostname', () => {
  const valid = summarizeCertificate(der('leaf-valid'));
  it('exact DNS SANs, case-insensitive, trailing dot', () => {
    expect(matchesHostname(valid, 'tlsscope.test')).toBe(true);
    expect(matchesHostname(valid, 'LOCALHOST')).toBe(true);
    expect(matchesHostname(valid, 'www.tlsscope.test.')).toBe(true);
    expect(matchesHostname(valid, 'api.tlsscope.test')).toBe(false);
    expect(matchesHostname(valid, '')).toBe(false);
  });
  it('IP SANs for IP literals, IPv6 in any spelling', () => {
    expect(matchesHostname(valid, '127.0.0.1')).toBe(true);
    expect(matchesHostname(valid, '::1')).toBe(true);
    expect(matchesHostname(valid, '0:0:0:0:0:0:0:1')).toBe(true);
    expect(matchesHostname(valid, '[::1]')).toBe(true);
    expect(matchesHostname(valid, '127.0.0.2')).toBe(false);
  });
  it('IP literal never matches a DNS SAN or CN that spells it', () => {
    expect(matchesHostname(fake(['127.0.0.1']), '127.0.0.1')).toBe(false);
    expect(matchesHostname(fake([], '127.0.0.1'), '127.0.0.1')).toBe(false);
  });
  it('wrong host', () => {
    const s = summarizeCertificate(der('leaf-wronghost'));
    expect(matchesHostname(s, 'tlsscope.test')).toBe(false);
    expect(matchesHostname(s, 'other.example')).toBe(true);
  });
  it('SAN dNSName takes precedence over CN', () => {
    expect(matchesHostname(fake(['a.example.com'], 'b.example.com'), 'b.example.com')).toBe(false);
    expect(matchesHostname(fake([], 'b.example.com'), 'b.example.com')).toBe(true);
    // an IP SAN alone does not disable the CN fallback for DNS names
    expect(matchesHostname(fake([], 'b.example.com', ['10.0.0.1']), 'b.example.com')).toBe(true);
  });
  it('wildcard: whole left-most label, exactly one label', () => {
    const w = summarizeCertificate(der('leaf-wildcard'));
    expect(matchesHostname(w, 'www.tlsscope.test')).toBe(true);
    expect(matchesHostname(w, 'API.tlsscope.test.')).toBe(true);
    expect(matchesHostname(w, 'tlsscope.test')).toBe(false);
    expect(matchesHostname(w, 'a.b.tlsscope.test')).toBe(false);
    expect(matchesHostname(w, '.tlsscope.test')).toBe(false);
  });
  it('no partial wildcards, no wildcard over a single label, no wildcard not left-most', () => {
    expect(matchesHostname(fake(['f*.example.com']), 'foo.example.com')).toBe(false);
    expect(matchesHostname(fake(['*oo.example.com']), 'foo.example.com')).toBe(false);
    expect(matchesHostname(fake(['*.com']), 'example.com')).toBe(false);
    expect(matchesHostname(fake(['www.*.com']), 'www.example.com')).toBe(false);
    expect(matchesHostname(fake(['*.*.example.com']), 'a.b.example.com')).toBe(false);
    expect(matchesHostname(fake(['*']), 'localhost')).toBe(false);
  });
  it('wildcard does not match IP literals', () => {
    expect(matchesHostname(fake(['*.0.0.1']), '127.0.0.1')).toBe(false);
  });
  it('IDN A-labels compared as is', () => {
    const c = fake(['xn--bcher-kva.example', '*.xn--caf-dma.example']);
    expect(matchesHostname(c, 'XN--BCHER-KVA.example')).toBe(true);
    expect(matchesHostname(c, 'www.xn--caf-dma.example')).toBe(true);
    expect(matchesHostname(c, 'bücher.example')).toBe(false);
  });
  it('no names at all', () => {
    expect(matchesHostname(fake([]), 'a.example')).toBe(false);
    expect(matchesHostname({ sha256: '', der: '', length: 0 }, 'a.example')).toBe(false);
  });
  it('normalizeIp', () => {
    expect(normalizeIp('::ffff:1.2.3.4')).toBe('0:0:0:0:0:ffff:102:304');
    expect(normalizeIp('2001:DB8::1')).toBe('2001:db8:0:0:0:0:0:1');
    expect(normalizeIp('example.com')).toBeNull();
  });
});
