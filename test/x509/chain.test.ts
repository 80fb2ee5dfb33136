import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { checkChain } from '../../src/x509/chain.js';
import { summarizeCertificate } from '../../src/x509/summary.js';
import { der } from './helpers.js';

const root = summarizeCertificate(der('root-ca'));
const inter = der('intermediate-ca');
const AT = new Date('2025-06-01T12:00:00Z');
const opts = (serverName: string | null = 'tlsscope.test', at = AT) => ({ serverName, at, extraCAs: [root] });

describe('checkChain', () => {
  it('ordered chain, trusted through --ca root not sent', () => {
    const r = checkChain([der('leaf-valid'), inter], opts());
    expect(r.ordered).toBe(true);
    expect(r.linkErrors).toEqual([]);
    expect(r.trusted).toBe(true);
    expect(r.anchor).toBe('CN=tlsscope Test Root CA,O=tlsscope test,C=US');
    expect(r.incomplete).toBe(false);
    expect(r.missingIssuer).toBeNull();
    expect(r.selfSigned).toBe(false);
    expect(r.validity).toEqual(['valid', 'valid']);
    expect(r.leafValidityOffsetSec).toBe(0);
    expect(r.hostnameMatches).toBe(true);
    expect(r.weak).toEqual([]);
  });
  it('root sent too', () => {
    const r = checkChain([der('leaf-valid'), inter, der('root-ca')], opts());
    expect(r.ordered).toBe(true);
    expect(r.trusted).toBe(true);
    expect(r.validity).toEqual(['valid', 'valid', 'valid']);
  });
  it('untrusted without the extra CA (private root, not in Mozilla store)', () => {
    const r = checkChain([der('leaf-valid'), inter], { serverName: 'tlsscope.test', at: AT });
    expect(r.trusted).toBe(false);
    expect(r.anchor).toBeNull();
    // the chain reached a CA (the intermediate) whose issuer, a private root, is unknown:
    // untrusted, not a missing intermediate
    expect(r.incomplete).toBe(false);
    expect(r.missingIssuer).toBe('CN=tlsscope Test Root CA,O=tlsscope test,C=US');
  });
  it('untrusted with the root sent but unknown: not incomplete', () => {
    const r = checkChain([der('leaf-valid'), inter, der('root-ca')], { serverName: null, at: AT });
    expect(r.trusted).toBe(false);
    expect(r.incomplete).toBe(false);
    expect(r.hostnameMatches).toBeNull();
  });
  it('incomplete: intermediate not sent', () => {
    const r = checkChain([der('leaf-valid')], opts());
    expect(r.ordered).toBe(true);
    expect(r.trusted).toBe(false);
    expect(r.incomplete).toBe(true);
    expect(r.missingIssuer).toBe('CN=tlsscope Test Intermediate CA,O=tlsscope test,C=US');
  });
  it('misordered chain: link errors, but still anchors', () => {
    const r = checkChain([der('leaf-valid'), der('root-ca'), inter], opts());
    expect(r.ordered).toBe(false);
    expect(r.linkErrors.map((e) => e.index)).toEqual([0, 1]);
    expect(r.trusted).toBe(true);
  });
  it('wrong certificate in the chain (names match nothing)', () => {
    const r = checkChain([der('leaf-valid'), der('leaf-ec256')], opts());
    expect(r.ordered).toBe(false);
    expect(r.linkErrors[0]?.index).toBe(0);
    expect(r.incomplete).toBe(true);
  });
  it('self-signed leaf', () => {
    const r = checkChain([der('leaf-selfsigned')], opts('selfsigned.tlsscope.test'));
    expect(r.selfSigned).toBe(true);
    expect(r.trusted).toBe(false);
    expect(r.incomplete).toBe(false);
    expect(r.hostnameMatches).toBe(true);
    expect(r.weak).toEqual([]);
  });
  it('self-signed leaf trusted when given as --ca', () => {
    const ss = summarizeCertificate(der('leaf-selfsigned'));
    const r = checkChain([der('leaf-selfsigned')], { serverName: null, at: AT, extraCAs: [ss] });
    expect(r.trusted).toBe(true);
    expect(r.anchor).toBe('CN=selfsigned.tlsscope.test,O=tlsscope test');
  });
  it('expired leaf: offset in seconds past notAfter (2021-01-01)', () => {
    const r = checkChain([der('leaf-expired'), inter], opts());
    expect(r.validity).toEqual(['expired', 'valid']);
    expect(r.leafValidityOffsetSec).toBe((AT.getTime() - Date.UTC(2021, 0, 1)) / 1000);
    expect(r.trusted).toBe(true); // trust is about the path; validity is reported apart
  });
  it('not-yet-valid leaf: negative offset to notBefore (2040-01-01)', () => {
    const r = checkChain([der('leaf-notyet'), inter], opts());
    expect(r.validity).toEqual(['not_yet_valid', 'valid']);
    expect(r.leafValidityOffsetSec).toBe(-(Date.UTC(2040, 0, 1) - AT.getTime()) / 1000);
  });
  it('validity depends only on `at`', () => {
    const r = checkChain([der('leaf-expired'), inter], opts('tlsscope.test', new Date('2020-06-01T00:00:00Z')));
    expect(r.validity).toEqual(['valid', 'valid']);
    expect(r.leafValidityOffsetSec).toBe(0);
    const r2 = checkChain([der('leaf-valid'), inter], opts('tlsscope.test', new Date('2050-01-01T00:00:00Z')));
    expect(r2.validity).toEqual(['expired', 'expired']);
  });
  it('hostname mismatch and wildcard', () => {
    expect(checkChain([der('leaf-wronghost'), inter], opts()).hostnameMatches).toBe(false);
    expect(checkChain([der('leaf-wildcard'), inter], opts('www.tlsscope.test')).hostnameMatches).toBe(true);
    expect(checkChain([der('leaf-wildcard'), inter], opts('tlsscope.test')).hostnameMatches).toBe(false);
    expect(checkChain([der('leaf-valid'), inter], opts('127.0.0.1')).hostnameMatches).toBe(true);
  });
  it('weak key: RSA 1024', () => {
    const r = checkChain([der('leaf-rsa1024'), inter], opts());
    expect(r.weak).toEqual([{ index: 0, what: 'rsa_1024' }]);
    expect(r.trusted).toBe(true);
  });
  it('SHA-1 signature on a non-root certificate', () => {
    const r = checkChain([der('leaf-sha1'), inter], opts());
    expect(r.weak).toEqual([{ index: 0, what: 'sha1_signature' }]);
    expect(r.trusted).toBe(true);
  });
  it('Ed25519, EC P-384 and Ed448 leaves link and verify', () => {
    for (const n of ['leaf-ed25519', 'leaf-ec384', 'leaf-ed448']) {
      const r = checkChain([der(n), inter], opts());
      expect(r.ordered, n).toBe(true);
      expect(r.trusted, n).toBe(true);
      expect(r.weak, n).toEqual([]);
    }
  });
  it('empty chain and garbage never throw', () => {
    const r = checkChain([], opts());
    expect(r.trusted).toBe(false);
    expect(r.validity).toEqual([]);
    expect(r.hostnameMatches).toBe(false);
    const g = checkChain([new Uint8Array([0x30, 0x03, 1, 2, 3]), inter], opts());
    expect(g.trusted).toBe(false);
    expect(g.validity[0]).toBe('unknown');
  });
  it('trusted against the Mozilla store for a real public chain is possible (store loads)', () => {
    // no network: only check that a Mozilla root given as the whole chain anchors itself
    const pem = rootCertificates[0]!;
    const d = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64'));
    const r = checkChain([d], { serverName: null, at: AT });
    expect(r.trusted).toBe(true);
    expect(r.anchor).toBe(summarizeCertificate(d).subject);
  });
});
