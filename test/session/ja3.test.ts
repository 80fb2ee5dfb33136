import { describe, expect, it } from 'vitest';
import { isGrease, ja3, ja3s } from '../../src/session/ja3.js';
import { makeClientHello, makeServerHello } from './h6-factory.js';
import { HAVE_EXPECTED, clientHelloFromTshark, loadTshark, serverHelloFromTshark } from './h6-expected.js';

describe('isGrease', () => {
  it('recognises exactly the 16 RFC 8701 values', () => {
    const all: number[] = [];
    for (let v = 0; v <= 0xffff; v++) if (isGrease(v)) all.push(v);
    expect(all).toEqual([...Array(16).keys()].map((i) => i * 0x1010 + 0x0a0a));
    expect(isGrease(0x0a1a)).toBe(false);
  });
});

describe('ja3', () => {
  it('matches the README example', () => {
    const ch = makeClientHello({
      version: 769,
      cipher_suites: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
      extensions: [0, 10, 11],
      supported_groups: [23, 24, 25],
      ec_point_formats: [0],
    });
    expect(ja3(ch)).toEqual({
      ja3_full: '769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0',
      ja3: 'ada70206e40642a3e4461f35503241d5',
    });
  });
  it('leaves empty fields for a hello without extensions', () => {
    const ch = makeClientHello({
      version: 769,
      cipher_suites: [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99],
      extensions: [],
      supported_groups: [],
      ec_point_formats: [],
    });
    expect(ja3(ch)).toEqual({ ja3_full: '769,4-5-10-9-100-98-3-6-19-18-99,,,', ja3: 'de350869b8c85de67a350c8d186f11e6' });
  });
  it('drops GREASE from every list', () => {
    const ch = makeClientHello({
      version: 771,
      cipher_suites: [0x2a2a, 4865],
      extensions: [0x3a3a, 0, 0xfafa],
      supported_groups: [0x8a8a, 29],
      ec_point_formats: [0],
    });
    expect(ja3(ch).ja3_full).toBe('771,4865,0,29,0');
  });
});

describe('ja3s', () => {
  it('is version,cipher,extensions', () => {
    const sh = makeServerHello({ version: 771, cipher_suite: 49195, extensions: [0, 65281, 11, 35, 16] });
    expect(ja3s(sh)).toEqual({ ja3s_full: '771,49195,0-65281-11-35-16', ja3s: '2d1eb5817ece335c24904f516ad5da12' });
  });
  it('handles a ServerHello without extensions', () => {
    expect(ja3s(makeServerHello({ version: 768, cipher_suite: 5, extensions: [] })).ja3s_full).toBe('768,5,');
  });
});

describe.skipIf(!HAVE_EXPECTED)('ja3/ja3s against tshark (expected/tshark/*/*.json)', () => {
  const files = HAVE_EXPECTED ? loadTshark() : [];
  it('ja3 and ja3_full equal tshark for every ClientHello', () => {
    let n = 0;
    const bad: string[] = [];
    for (const f of files) {
      for (const s of f.sessions) {
        if (!s.client_hello) continue;
        n++;
        const got = ja3(clientHelloFromTshark(s.client_hello));
        if (got.ja3_full !== s.client_hello.ja3_full || got.ja3 !== s.client_hello.ja3) {
          bad.push(`${f.set}/${f.capture}: ${got.ja3_full} != ${s.client_hello.ja3_full}`);
        }
      }
    }
    console.log(`ja3: ${n - bad.length}/${n} ClientHellos agree with tshark`);
    expect(bad).toEqual([]);
    expect(n).toBeGreaterThan(100);
  });
  it('ja3s equals tshark for every ServerHello', () => {
    let n = 0;
    const bad: string[] = [];
    for (const f of files) {
      for (const s of f.sessions) {
        if (!s.server_hello) continue;
        n++;
        const got = ja3s(serverHelloFromTshark(s.server_hello));
        if (got.ja3s !== s.server_hello.ja3s) bad.push(`${f.set}/${f.capture}: ${got.ja3s_full}`);
      }
    }
    console.log(`ja3s: ${n - bad.length}/${n} ServerHellos agree with tshark`);
    expect(bad).toEqual([]);
    expect(n).toBeGreaterThan(100);
  });
});
