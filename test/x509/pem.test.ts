import { describe, expect, it } from 'vitest';
import { readCaBundle, readCaBundleBytes } from '../../src/x509/pem.js';
import { der, file } from './helpers.js';

describe('readCaBundle', () => {
  it('PEM bundle in order, text around ignored', () => {
    const text = 'junk before\n' + file('chain-valid-full.pem').toString('utf8') + '\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const ders = readCaBundle(text);
    expect(ders.length).toBe(3);
    expect(Buffer.from(ders[0]!).equals(Buffer.from(der('leaf-valid')))).toBe(true);
    expect(Buffer.from(ders[2]!).equals(Buffer.from(der('root-ca')))).toBe(true);
  });
  it('CRLF line endings', () => {
    const text = file('root-ca.pem').toString('utf8').replace(/\n/g, '\r\n');
    expect(readCaBundle(text).length).toBe(1);
  });
  it('DER file (binary string) and bytes', () => {
    const d = Buffer.from(der('root-ca'));
    expect(readCaBundle(d.toString('latin1')).map((x) => Buffer.from(x).equals(d))).toEqual([true]);
    expect(readCaBundleBytes(d).length).toBe(1);
    expect(readCaBundleBytes(file('chain-valid.pem')).length).toBe(2);
  });
  it('junk', () => {
    expect(readCaBundle('')).toEqual([]);
    expect(readCaBundle('hello world')).toEqual([]);
    expect(readCaBundle('-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----')).toEqual([]);
    expect(readCaBundle('\x30\x82\xff\xff')).toEqual([]);
    expect(readCaBundle(undefined as unknown as string)).toEqual([]);
  });
});
