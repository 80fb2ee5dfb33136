import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { summarizeCertificate } from '../../src/x509/summary.js';
import { der } from './helpers.js';

// Expected values come from the generation parameters in tools/certs/make-certs.sh
// (and what `openssl x509 -text` shows for them), not from this code's output.

describe('summarizeCertificate: leaf-valid (RSA 2048, full SAN set)', () => {
  const d = der('leaf-valid');
  const s = summarizeCertificate(d);

  it('hashes and raw', () => {
    expect(s.sha256).toBe(createHash('sha256').update(d).digest('hex'));
    expect(s.sha1).toBe(createHash('sha1').update(d).digest('hex'));
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.der).toBe(Buffer.from(d).toString('base64'));
    expect(s.length).toBe(d.length);
    expect(s.parse_error).toBeUndefined();
  });
  it('names in RFC 4514 order (most specific first)', () => {
    expect(s.subject).toBe('CN=tlsscope.test,OU=Leaves,O=tlsscope test,L=San Francisco,ST=California,C=US');
    expect(s.issuer).toBe('CN=tlsscope Test Intermediate CA,O=tlsscope test,C=US');
    expect(s.subject_cn).toBe('tlsscope.test');
    expect(s.issuer_cn).toBe('tlsscope Test Intermediate CA');
  });
  it('serial, validity, algorithm', () => {
    expect(s.serial).toBe('1001');
    expect(s.not_before).toBe('2024-01-01T00:00:00Z');
    expect(s.not_after).toBe('2034-01-01T00:00:00Z');
    expect(s.signature_algorithm).toBe('sha256WithRSAEncryption');
    expect(s.public_key).toEqual({ type: 'rsa', bits: 2048 });
  });
  it('SANs of every kind', () => {
    expect(s.san).toEqual({
      dns: ['tlsscope.test', 'localhost', 'www.tlsscope.test'],
      ip: ['127.0.0.1', '::1'],
      email: ['admin@tlsscope.test'],
      uri: ['https://tlsscope.test/'],
    });
  });
  it('extensions', () => {
    expect(s.basic_constraints).toEqual({ ca: false });
    expect(s.key_usage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(s.extended_key_usage).toEqual(['serverAuth']);
    expect(s.self_signed).toBe(false);
    expect(s.sct_count).toBe(0);
    expect(s.ocsp_must_staple).toBe(false);
  });
  it('is cached by SHA-256', () => {
    expect(summarizeCertificate(new Uint8Array(d))).toBe(s);
  });
});

describe('summarizeCertificate: CAs', () => {
  it('root: self-signed CA, notAfter 2049-12-31 23:59:59 (UTCTime)', () => {
    const s = summarizeCertificate(der('root-ca'));
    expect(s.subject).toBe('CN=tlsscope Test Root CA,O=tlsscope test,C=US');
    expect(s.issuer).toBe(s.subject);
    expect(s.serial).toBe('01');
    expect(s.not_before).toBe('2020-01-01T00:00:00Z');
    expect(s.not_after).toBe('2049-12-31T23:59:59Z');
    expect(s.basic_constraints).toEqual({ ca: true });
    expect(s.key_usage).toEqual(['keyCertSign', 'cRLSign']);
    expect(s.self_signed).toBe(true);
    expect(s.san).toEqual({ dns: [], ip: [], email: [], uri: [] });
  });
  it('intermediate: pathlen 0', () => {
    const s = summarizeCertificate(der('intermediate-ca'));
    expect(s.basic_constraints).toEqual({ ca: true, path_length: 0 });
    expect(s.key_usage).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(s.serial).toBe('02');
    expect(s.issuer_cn).toBe('tlsscope Test Root CA');
    expect(s.self_signed).toBe(false);
  });
});

describe('summarizeCertificate: key types and signature algorithms', () => {
  it.each([
    ['leaf-ec256', { type: 'ec', bits: 256, curve: 'P-256' }, 'sha256WithRSAEncryption'],
    ['leaf-ec384', { type: 'ec', bits: 384, curve: 'P-384' }, 'sha384WithRSAEncryption'],
    ['leaf-ed25519', { type: 'ed25519', bits: 256 }, 'sha256WithRSAEncryption'],
    ['leaf-ed448', { type: 'ed448', bits: 456 }, 'sha256WithRSAEncryption'],
    ['leaf-rsa1024', { type: 'rsa', bits: 1024 }, 'sha256WithRSAEncryption'],
    ['leaf-sha1', { type: 'rsa', bits: 2048 }, 'sha1WithRSAEncryption'],
    ['leaf-selfsigned', { type: 'ec', bits: 256, curve: 'P-256' }, 'ecdsa-with-SHA256'],
    ['selfsigned-ed25519', { type: 'ed25519', bits: 256 }, 'ED25519'],
  ])('%s', (name, pk, alg) => {
    const s = summarizeCertificate(der(name));
    expect(s.public_key).toEqual(pk);
    expect(s.signature_algorithm).toBe(alg);
  });
});

describe('summarizeCertificate: special cases', () => {
  it('GeneralizedTime notAfter in 2060', () => {
    const s = summarizeCertificate(der('leaf-long'));
    expect(s.not_after).toBe('2060-01-01T00:00:00Z');
    expect(s.serial).toBe('100D');
  });
  it('notBefore before 1970 (UTCTime 65 -> 1965) and RFC 4514 escaping', () => {
    const s = summarizeCertificate(der('leaf-old'));
    expect(s.not_before).toBe('1965-01-01T00:00:00Z');
    expect(s.subject).toBe('CN=old.tlsscope.test,OU=Old,O=tlsscope\\, \\"test\\"');
  });
  it('two CNs: the last in DER order (as the FoxIO ja4 tool reports)', () => {
    const s = summarizeCertificate(der('leaf-multicn'));
    expect(s.subject).toBe('CN=second.tlsscope.test,CN=first.tlsscope.test,O=tlsscope test');
    expect(s.subject_cn).toBe('second.tlsscope.test');
  });
  it('no CN', () => {
    const s = summarizeCertificate(der('leaf-nocn'));
    expect(s.subject).toBe('OU=No CN,O=tlsscope test');
    expect(s.subject_cn).toBeNull();
    expect(s.san?.dns).toEqual(['nocn.tlsscope.test']);
  });
  it('must-staple, EKU list, key usage', () => {
    const s = summarizeCertificate(der('leaf-muststaple'));
    expect(s.ocsp_must_staple).toBe(true);
    expect(s.key_usage).toEqual(['digitalSignature', 'keyEncipherment', 'keyAgreement']);
    expect(s.extended_key_usage).toEqual(['serverAuth', 'clientAuth', 'OCSPSigning']);
    expect(s.basic_constraints).toEqual({ ca: false });
  });
  it('embedded SCT list with 2 entries', () => {
    expect(summarizeCertificate(der('leaf-sct')).sct_count).toBe(2);
  });
  it('self-signed leaf', () => {
    const s = summarizeCertificate(der('leaf-selfsigned'));
    expect(s.self_signed).toBe(true);
    expect(s.issuer).toBe('CN=selfsigned.tlsscope.test,O=tlsscope test');
  });
  it('wildcard CN', () => {
    const s = summarizeCertificate(der('leaf-wildcard'));
    expect(s.subject_cn).toBe('*.tlsscope.test');
    expect(s.san?.dns).toEqual(['*.tlsscope.test']);
  });
  it('ML-DSA-44 self-signed certificate from a capture (node cannot read the key)', () => {
    // fixtures/certs/ml-dsa-44.der: extracted from shared/captures/zeek/ml-dsa-44-cert.pcap
    // openssl: subject=CN=ml-dsa.example.com,O=PQC-Test,C=US, serial 6CC93D07..., 2026-04-03 07:06:08 .. 2027-04-03 07:06:08
    const s = summarizeCertificate(der('ml-dsa-44.der'));
    expect(s.parse_error).toBeUndefined();
    expect(s.subject).toBe('CN=ml-dsa.example.com,O=PQC-Test,C=US');
    expect(s.issuer).toBe(s.subject);
    expect(s.subject_cn).toBe('ml-dsa.example.com');
    expect(s.serial).toBe('6CC93D07602EC79CFD5201B425D1A93C7023197F');
    expect(s.not_before).toBe('2026-04-03T07:06:08Z');
    expect(s.not_after).toBe('2027-04-03T07:06:08Z');
    expect(s.signature_algorithm).toBe('ML-DSA-44');
    expect(s.public_key?.type).toBe('ml-dsa-44');
    expect(s.self_signed).toBe(true); // name equality: the signature cannot be checked here
  });
});

describe('summarizeCertificate: garbage', () => {
  it('empty input', () => {
    const s = summarizeCertificate(new Uint8Array());
    expect(s.length).toBe(0);
    expect(s.sha256).toBe(createHash('sha256').update(Buffer.alloc(0)).digest('hex'));
    expect(s.parse_error).toBeTruthy();
  });
  it('truncated certificate', () => {
    const d = der('leaf-valid').subarray(0, 500);
    const s = summarizeCertificate(d);
    expect(s.parse_error).toBeTruthy();
    expect(s.length).toBe(500);
    expect(s.der).toBe(Buffer.from(d).toString('base64'));
  });
});

describe('summary cache in front of SHA-256', () => {
  it('returns the cached summary for the same bytes in another buffer, and only for the same bytes', async () => {
    const { clearCertificateCache } = await import('../../src/x509/summary.js');
    const d = der('leaf-valid');
    const a = summarizeCertificate(d);
    const copy = new Uint8Array(d.length + 7).subarray(3, 3 + d.length);
    copy.set(d);
    expect(summarizeCertificate(copy)).toBe(a);
    const changed = Uint8Array.from(d);
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 1; // a signature byte
    const b = summarizeCertificate(changed);
    expect(b).not.toBe(a);
    expect(b.sha256).not.toBe(a.sha256);
    expect(b.sha256).toBe(createHash('sha256').update(changed).digest('hex'));
    clearCertificateCache();
    const c = summarizeCertificate(d);
    expect(c).not.toBe(a);
    expect(c).toEqual(a);
  });
});
