import { describe, expect, it } from 'vitest';
import { hash12, ja4, ja4Alpn, ja4VersionCode, ja4VersionNumber } from '../../src/session/ja4.js';
import { makeClientHello } from './h6-factory.js';
import { HAVE_EXPECTED, clientHelloFromTshark, endpointKey, loadJa4, loadTshark } from './h6-expected.js';

// The worked example of the JA4 reference implementation's unit test.
const example = makeClientHello({
  cipher_suites: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
  extensions: [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015],
  signature_algorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
  supported_versions: [0x0304, 0x0303],
  alpn: ['h2', 'http/1.1'],
  server_name: 'example.com',
});

describe('ja4', () => {
  it('computes all four forms of the reference example', () => {
    const r = ja4(example, 'tcp');
    expect(r.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(r.ja4_r).toBe(
      't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
    );
    expect(r.ja4_o).toBe('t13d1516h2_acb858a92679_18f69afefd3d');
    expect(r.ja4_ro).toBe(
      't13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601',
    );
  });
  it('ignores GREASE everywhere, including supported_versions and signature algorithms', () => {
    const greased = {
      ...example,
      cipher_suites: [0x0a0a, ...example.cipher_suites],
      extensions: [0x1a1a, ...example.extensions, 0xfafa],
      supported_versions: [0x2a2a, 0x0304, 0x0303],
      signature_algorithms: [0x3a3a, ...example.signature_algorithms],
    };
    expect(ja4(greased, 'tcp')).toEqual(ja4(example, 'tcp'));
  });
  it('uses q/d for QUIC and DTLS, and guesses from quic_transport_parameters for bare udp', () => {
    expect(ja4(example, 'quic').ja4.slice(0, 1)).toBe('q');
    expect(ja4(example, 'dtls').ja4.slice(0, 1)).toBe('d');
    expect(ja4(example, 'udp').ja4.slice(0, 1)).toBe('d');
    expect(ja4({ ...example, extensions: [...example.extensions, 0x39] }, 'udp').ja4.slice(0, 1)).toBe('q');
  });
  it('maps versions, drafts to 00, DTLS 1.3 above 1.2', () => {
    expect(ja4VersionCode(0x0300)).toBe('s3');
    expect(ja4VersionCode(0x0002)).toBe('s2');
    expect(ja4VersionCode(0x7f12)).toBe('00');
    expect(ja4VersionNumber(makeClientHello({ supported_versions: [0x7f12, 0x0303] }))).toBe(0x7f12);
    expect(ja4VersionNumber(makeClientHello({ version: 0xfefd, supported_versions: [0xfefc, 0xfefd] }))).toBe(0xfefc);
    expect(ja4VersionNumber(makeClientHello({ version: 0x0301, supported_versions: [] }))).toBe(0x0301);
  });
  it('uses i without SNI, 00 without ALPN, no underscore without signature algorithms, zeros for empty lists', () => {
    const ch = makeClientHello({
      version: 0x0301,
      supported_versions: [],
      cipher_suites: [],
      extensions: [],
      server_name: null,
      alpn: [],
      signature_algorithms: [],
    });
    const r = ja4(ch, 'tcp');
    expect(r.ja4).toBe('t10i000000_000000000000_000000000000');
    expect(r.ja4_r).toBe('t10i000000__');
    const only = ja4(makeClientHello({ extensions: [0, 16, 11], signature_algorithms: [] }), 'tcp');
    expect(only.ja4_r.endsWith('_000b')).toBe(true);
  });
  it('caps the counts at 99', () => {
    const ch = makeClientHello({ cipher_suites: [...Array(150).keys()].map((i) => i + 1) });
    expect(ja4(ch, 'tcp').ja4.slice(4, 6)).toBe('99');
  });
  it('applies the ALPN character rules', () => {
    expect(ja4Alpn('h2')).toBe('h2');
    expect(ja4Alpn('http/1.1')).toBe('h1');
    expect(ja4Alpn(undefined)).toBe('00');
    expect(ja4Alpn('')).toBe('00');
    expect(ja4Alpn('\xba\xad')).toBe('bd');
    expect(ja4Alpn('\xab')).toBe('ab');
    expect(ja4Alpn('x')).toBe('xx');
    expect(ja4Alpn('\xba\xad', 'ja4-0.18')).toBe('99');
    expect(ja4Alpn('\ufffd\ufffd', 'ja4-0.18')).toBe('99');
  });
  it('hash12 of the empty string is zeros', () => {
    expect(hash12('')).toBe('000000000000');
  });
});

describe.skipIf(!HAVE_EXPECTED)('ja4 against the FoxIO tool (expected/ja4 joined with expected/tshark/ja4)', () => {
  it('agrees on every joined session (spec ALPN rule except where the tool differs)', () => {
    let n = 0;
    let agreeSpec = 0;
    let agreeTool = 0;
    const bad: string[] = [];
    for (const f of loadTshark()) {
      if (f.set !== 'ja4') continue;
      const byKey = new Map(f.sessions.map((s) => [endpointKey(s), s]));
      for (const e of loadJa4(f.capture)) {
        if (!e.ja4) continue;
        const t = byKey.get(endpointKey(e));
        if (!t?.client_hello) continue;
        n++;
        const ch = clientHelloFromTshark(t.client_hello);
        // tshark shows the undecodable ALPN bytes of tls-non-ascii-alpn (0xba 0xad) as U+FFFD: the spec rule cannot recover them there.
        const transport = t.transport === 'udp' ? 'quic' : 'tcp';
        const spec = ja4(ch, transport).ja4;
        const tool = ja4(ch, transport, { alpnRule: 'ja4-0.18' }).ja4;
        if (spec === e.ja4) agreeSpec++;
        if (tool === e.ja4) agreeTool++;
        else bad.push(`${f.capture} ${endpointKey(e)}: ${tool} != ${e.ja4}`);
      }
    }
    console.log(`ja4: ${agreeSpec}/${n} agree with spec ALPN rule, ${agreeTool}/${n} with alpnRule 'ja4-0.18'`);
    expect(bad).toEqual([]);
    expect(n).toBeGreaterThan(150);
    expect(agreeSpec).toBeGreaterThanOrEqual(n - 1);
  });
});
