/**
 * Strings from the wire never reach the terminal raw: a ClientHello whose SNI
 * and ALPN carry ANSI escapes, a bidi override and a bell, packetized into a
 * real capture, then `list` and `diagnose` through the real binary.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packetize } from '../../tools/fixtures/packetize.js';
import { writePcap } from '../../src/capture/writer.js';
import { alpn, cat, clientHello, ext, record, u8, vec } from '../tls/build.js';
import { cli } from './helpers.js';

const EVIL = 'evil\x1b[31mRED\x1b[0m\u202egnp.exe\x07.example';

describe('hostile strings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlsscope-hostile-'));
  const file = join(dir, 'hostile.pcap');
  // SNI: host_name entry with raw bytes (UTF-8 of EVIL)
  const sniBytes = vec(2, cat(u8(0), vec(2, new TextEncoder().encode(EVIL))));
  const ch = record(22, 0x0301, clientHello({ cipherSuites: [0x1301, 0xc02f], extensions: [ext(0, sniBytes), ext(16, alpn(['h2\x1b[2J']))] }));
  const pk = packetize({
    name: 'hostile', client: { ip: '192.0.2.1', port: 40001 }, server: { ip: '192.0.2.2', port: 443 },
    events: [{ from: 'client', tMs: 1, data: ch }, { from: 'client', tMs: 5000, close: 'fin' }],
  });
  writeFileSync(file, writePcap(pk.frames, { linkType: pk.linkType }));

  it('the session is found and the JSON keeps the exact string', () => {
    const r = cli(['export', file]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { server_name: string; client_hello: { alpn: string[] } }[];
    expect(s[0]?.server_name).toBe(EVIL);
    expect(s[0]?.client_hello.alpn).toEqual(['h2\x1b[2J']);
  });

  for (const cmd of ['list', 'diagnose']) {
    it(`${cmd} prints it escaped: no ESC, BEL or bidi override reaches the terminal`, () => {
      const r = cli([cmd, file]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('evil');
      expect(r.stdout).not.toMatch(/[\x1b\x07\u202e]/);
    });
  }
});
