/** End-to-end: the real binary, as a user runs it. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURES, cli } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(FIXTURES, '..', 'package.json'), 'utf8')) as { version: string };
const tmp = mkdtempSync(join(tmpdir(), 'tlsscope-cli-'));

describe('tlsscope CLI', () => {
  it('--version prints the package version', () => {
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  for (const cmd of ['list', 'export', 'flows', 'diagnose']) {
    it(`${cmd} --help exits 0 and documents the capture argument`, () => {
      const r = cli([cmd, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('capture');
    });
  }

  it('exits 2 with a one-line usage error without a command', () => {
    const r = cli([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tlsscope: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an unknown option or a bad --format', () => {
    expect(cli(['export', join(FIXTURES, 'demo.pcapng'), '--bogus']).status).toBe(2);
    expect(cli(['export', join(FIXTURES, 'demo.pcapng'), '--format', 'xml']).status).toBe(2);
  });

  it('exits 1 with file and offset when the file does not exist', () => {
    const r = cli(['export', join(tmp, 'missing.pcap')]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('missing.pcap');
    expect(lines[0]).toMatch(/offset 0/);
  });

  it('exits 1 with a one-line error when the file is not a capture', () => {
    const f = join(tmp, 'not-a-capture.pcap');
    writeFileSync(f, 'this is plain text, not a capture file\n');
    const r = cli(['flows', f]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('not-a-capture.pcap');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bin/tlsscope.js stays tiny', () => {
    expect(readFileSync(BIN, 'utf8').split('\n').length).toBeLessThan(15);
  });
});

describe('streaming from standard input', () => {
  it('export - --format ndjson emits a session before the capture is complete', async () => {
    const { spawn } = await import('node:child_process');
    const data = readFileSync(join(FIXTURES, 'demo.pcapng'));
    const child = spawn(process.execPath, [BIN, 'export', '-', '--format', 'ndjson'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const firstLine = new Promise<string>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(out);
      });
    });
    // send the first two thirds and keep the pipe open: sessions closed so far must come out
    child.stdin.write(data.subarray(0, Math.floor(data.length * 2 / 3)));
    const got = await Promise.race([firstLine, new Promise<string>((r) => setTimeout(() => r(''), 15_000))]);
    expect(got, 'a session line arrived while stdin was still open').not.toBe('');
    const first = JSON.parse(got.split('\n')[0]!) as { client_hello?: unknown };
    expect(first.client_hello).toBeDefined();
    child.stdin.end(data.subarray(Math.floor(data.length * 2 / 3)));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    const all = out.trim().split('\n');
    const full = cli(['export', join(FIXTURES, 'demo.pcapng'), '--format', 'ndjson']).stdout.trim().split('\n');
    expect(all.length).toBe(full.length);
  });
});

describe('warnings', () => {
  it('an unsupported link type is reported once per interface, not once per packet', async () => {
    const { writePcapng } = await import('../../src/capture/writer.js');
    const f = join(tmp, 'user0.pcapng');
    const pk = (i: number, ifc: number) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, data: new Uint8Array(40), interfaceId: ifc });
    writeFileSync(f, writePcapng([{ interfaces: [{ linkType: 147 }, { linkType: 147 }], packets: [pk(0, 0), pk(1, 0), pk(2, 0), pk(3, 1), pk(4, 1)] }]));
    const r = cli(['flows', f]);
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/link type 147 on interface 0/);
    expect(lines[1]).toMatch(/link type 147 on interface 1/);
  });

  it('encrypted Wi-Fi frames: one warning per interface saying why nothing was decoded', async () => {
    const { writePcapng } = await import('../../src/capture/writer.js');
    const { radiotap, wlan } = await import('../decode/build.js');
    const f = join(tmp, 'wpa.pcapng');
    const frame = radiotap(wlan(new Uint8Array(64), { protected: true }));
    const pk = (i: number) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, data: frame, interfaceId: 0 });
    writeFileSync(f, writePcapng([{ interfaces: [{ linkType: 127 }], packets: [pk(0), pk(1), pk(2)] }]));
    const r = cli(['export', f]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/wpa\.pcapng: 802\.11 frames on interface 0 are encrypted/);
  });

  it('a capture cut mid-record: every whole packet before the cut, a one-line warning, exit 0', () => {
    const r = cli(['flows', join(FIXTURES, 'truncated-file.pcap'), '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/warning: .*truncated-file\.pcap: offset \d+: /);
  });
});

describe('diagnose', () => {
  const diag = join(FIXTURES, 'diagnose.pcapng');
  it('text report groups failures by server and cause, exit 0 even with failures', () => {
    const r = cli(['diagnose', diag]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/api\.example\.com/);
    expect(r.stdout).toMatch(/expired/i);
  });
  it('json report carries totals and groups', () => {
    const r = cli(['diagnose', diag, '--format', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j.schema_version).toBe(1);
    expect(JSON.stringify(j)).toMatch(/cert_expired/);
  });
  it('--fail-on high exits 3 when a high finding exists, 0 on a clean capture', () => {
    expect(cli(['diagnose', diag, '--fail-on', 'high']).status).toBe(3);
    expect(cli(['diagnose', join(FIXTURES, 'tls13.pcapng'), '--fail-on', 'high']).status).toBe(0);
  });
});

describe('--ca', () => {
  it('a private CA given with --ca makes its chains trusted', () => {
    const f = join(FIXTURES, 'tls12-ecdhe.pcap');
    const without = JSON.parse(cli(['export', f]).stdout) as { chain?: { trusted: boolean }; findings: { code: string }[] }[];
    expect(without[0]?.chain?.trusted).toBe(false);
    expect(without[0]?.findings.map((x) => x.code)).toContain('cert_untrusted');
    const withCa = JSON.parse(cli(['export', f, '--ca', join(FIXTURES, 'certs', 'root-ca.pem')]).stdout) as typeof without;
    expect(withCa[0]?.chain?.trusted).toBe(true);
    expect(withCa[0]?.findings.map((x) => x.code)).not.toContain('cert_untrusted');
  });
  it('an unreadable --ca file is a one-line error with exit 1', () => {
    const r = cli(['export', join(FIXTURES, 'tls12-ecdhe.pcap'), '--ca', join(tmp, 'nope.pem')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('the default command without a terminal (a pipe) prints the list instead of the interactive view', () => {
    const capture = join(FIXTURES, 'demo.pcapng');
    const r = cli([capture]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(cli(['list', capture]).stdout);
    expect(r.stdout).toContain('legacy.example.com');
    expect(r.stdout).not.toContain('\x1b[');
    // a capture on standard input: the same
    const piped = cli(['-'], readFileSync(capture));
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(r.stdout);
    // an unreadable capture: the usual one-line error, no screen
    const bad = cli([join(tmp, 'missing.pcap')]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('missing.pcap');
  });
});
