import { describe, expect, it } from 'vitest';
import { summarizeOcsp } from '../../src/x509/ocsp.js';
import { der } from './helpers.js';

// Pinned from `openssl ocsp -respin fixtures/certs/ocsp-*.der -resp_text -noverify`:
// regenerating the fixtures (tools/certs/make-certs.sh) changes these times.
const PRODUCED = '2026-11-24T20:16:14Z';
const NEXT = '2036-11-21T20:16:14Z';
const RESPONDER = 'CN=tlsscope Test Intermediate CA,O=tlsscope test,C=US';

describe('summarizeOcsp', () => {
  it('good', () => {
    expect(summarizeOcsp(der('ocsp-good.der'))).toEqual({
      status: 'successful',
      cert_status: 'good',
      produced_at: PRODUCED,
      this_update: PRODUCED,
      next_update: NEXT,
      responder: RESPONDER,
      serial: '1001',
      responses: 1,
    });
  });
  it('revoked, with time and reason', () => {
    const s = summarizeOcsp(der('ocsp-revoked.der'));
    expect(s.status).toBe('successful');
    expect(s.cert_status).toBe('revoked');
    expect(s.revocation_time).toBe('2023-06-15T12:00:00Z');
    expect(s.revocation_reason).toBe('keyCompromise');
    expect(s.serial).toBe('1002');
    expect(s.parse_error).toBeUndefined();
  });
  it('unknown', () => {
    const s = summarizeOcsp(der('ocsp-unknown.der'));
    expect(s.cert_status).toBe('unknown');
    expect(s.serial).toBe('1005');
  });
  it('stapled response from a capture (responder by key hash)', () => {
    // fixtures/certs/ocsp-twimg.der: the CertificateStatus body of shared/captures/zeek/ocsp-stapling-twimg.pcap
    expect(summarizeOcsp(der('ocsp-twimg.der'))).toEqual({
      status: 'successful',
      cert_status: 'good',
      produced_at: '2014-09-03T15:29:00Z',
      this_update: '2014-09-03T15:29:00Z',
      next_update: '2014-09-10T15:44:00Z',
      responder: 'keyhash:50ea7389db29fb108f9ee50120d4de79994883f7',
      serial: '0C1AF634FD9BD197245C7D54B4FD3B8A',
      responses: 1,
    });
  });
  it('non-successful statuses', () => {
    expect(summarizeOcsp(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x06]))).toEqual({ status: 'unauthorized' });
    expect(summarizeOcsp(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x03]))).toEqual({ status: 'tryLater' });
    expect(summarizeOcsp(new Uint8Array([0x30, 0x03, 0x0a, 0x01, 0x09])).parse_error).toBeTruthy();
  });
  it('junk and truncation', () => {
    expect(summarizeOcsp(new Uint8Array()).parse_error).toBeTruthy();
    const good = der('ocsp-good.der');
    for (let n = 0; n < good.length; n += 7) {
      const s = summarizeOcsp(good.subarray(0, n));
      expect(s.parse_error, `length ${n}`).toBeTruthy();
    }
  });
});
