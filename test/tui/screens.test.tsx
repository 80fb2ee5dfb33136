/**
 * Every screen of the terminal UI driven through keys on real sessions
 * (fixtures/diagnose.pcapng read with the raw handshake bytes, as the UI
 * reads captures), asserted on lastFrame().
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { render } from 'ink-testing-library';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { App, type LoadSink } from '../../src/tui/App.js';
import { analyze } from '../../src/analyze.js';
import type { Session } from '../../src/core/model.js';
import { mk } from './sessions.js';
import { tick, until } from './wait.js';
import { sessionTree, treeRows } from '../../src/tui/tree.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CAPTURE = join(ROOT, 'fixtures', 'diagnose.pcapng');


async function keys(stdin: { write(s: string): void }, ...ks: string[]): Promise<void> {
  for (const k of ks) {
    stdin.write(k);
    await tick(15);
  }
}

let sessions: Session[] = [];
beforeAll(async () => {
  sessions = (await analyze(CAPTURE, { keepRaw: true })).sessions;
});

describe('tui screens', () => {
  it('group view: counts, failures and worst severity per server name; Enter filters the list to the group', async () => {
    const { lastFrame, stdin, unmount } = render(<App name="diagnose.pcapng" sessions={sessions} width={120} height={35} />);
    await tick();
    await keys(stdin, '2');
    let f = await until(lastFrame, (x) => x.includes('grouped by'));
    expect(f).toContain('grouped by server name');
    const apiCount = sessions.filter((s) => s.server_name === 'api.example.com').length;
    const apiLine = f.split('\n').find((l) => l.includes('api.example.com')) ?? '';
    expect(apiLine).toContain(String(apiCount));
    // group by JA4 instead, then back to server names
    await keys(stdin, 's', 's', 's');
    f = await until(lastFrame, (x) => x.includes('grouped by JA4'));
    const ja4 = sessions.find((s) => s.client_hello?.ja4)!.client_hello!.ja4!;
    expect(f).toContain(ja4.slice(0, 10));
    await keys(stdin, 's', 's', 's', 's');
    await until(lastFrame, (x) => x.includes('grouped by server name'));
    // Enter on the first group (the biggest): the list, filtered to it
    await keys(stdin, 'g', '\r');
    f = await until(lastFrame, (x) => x.includes('filter: sni='));
    const biggest = Math.max(...[...new Set(sessions.map((s) => s.server_name))].map((n) => sessions.filter((s) => s.server_name === n).length));
    expect(f).toContain(biggest === sessions.length ? `${biggest} sessions` : `${biggest} of ${sessions.length} sessions`);
    unmount();
  });

  it('diagnosis view: the diagnose text, and Enter on a failure line lists its sessions', async () => {
    const { lastFrame, stdin, unmount } = render(<App name="diagnose.pcapng" sessions={sessions} width={120} height={60} />);
    await tick();
    await keys(stdin, '3');
    let f = await until(lastFrame, (x) => x.includes('protocol_version_mismatch') && !x.includes('diagnosing'));
    // the same words as `tlsscope diagnose`
    const cli = execFileSync(process.execPath, [join(ROOT, 'bin', 'tlsscope.js'), 'diagnose', CAPTURE], { encoding: 'utf8' });
    const firstFailure = cli.split('\n').find((l) => l.includes('protocol_version_mismatch'))!.trim();
    expect(f).toContain(firstFailure.slice(0, 40));
    // move to the first line carrying the cause and open it
    const lines = f.split('\n');
    const target = lines.findIndex((l) => l.includes('protocol_version_mismatch'));
    const title = lines.findIndex((l) => l.includes('diagnosis of the'));
    await keys(stdin, ...Array.from({ length: target - title - 1 }, () => 'j'), '\r');
    f = await until(lastFrame, (x) => x.includes('filter: cause=protocol_version_mismatch'));
    const expected = sessions.filter((s) => s.findings.some((x) => x.code === 'protocol_version_mismatch')).length;
    expect(f).toContain(`${expected} of ${sessions.length} sessions`);
    unmount();
  });

  it('hex view: the ClientHello bytes, the tree field under the cursor highlighted, other messages with →', async () => {
    const { lastFrame, stdin, unmount } = render(<App name="diagnose.pcapng" sessions={sessions} width={120} height={40} />);
    await tick();
    await keys(stdin, 'x');
    let f = await until(lastFrame, (x) => x.includes('message 1/'));
    expect(f).toContain('client_hello from the client');
    // the message starts with its header: type 1 and a 3-byte length
    expect(f).toMatch(/0000 {2}01 00 /);
    await keys(stdin, 'l');
    f = await until(lastFrame, (x) => x.includes('message 2/'));
    expect(f).toContain('server_hello from the server');
    await keys(stdin, '\x1b');
    // from the tree: the ClientHello's random field (its row found in the same tree the App draws)
    const rows = treeRows(sessionTree(sessions[0]!, 120), new Set());
    const at = rows.findIndex((r) => r.node.id === 'ch/random');
    expect(at).toBeGreaterThan(0);
    await keys(stdin, '\r', ...Array.from({ length: at }, () => 'j'), 'x');
    f = await until(lastFrame, (x) => x.includes('highlighted'));
    // the random: 32 bytes from offset 6
    expect(f).toContain('highlighted 6-37');
    unmount();
  });

  it('sort menu: s then a letter; the column title shows the order; the same letter reverses', async () => {
    const { lastFrame, stdin, unmount } = render(<App name="x" sessions={sessions} width={120} height={35} />);
    await tick();
    await keys(stdin, 's');
    let f = await until(lastFrame, (x) => x.includes('sort by:'));
    expect(f).toContain('u status');
    await keys(stdin, 'u');
    f = await until(lastFrame, (x) => x.includes('STATUS▼'));
    const firstRow = f.split('\n')[3] ?? '';
    expect(firstRow).toContain('FAILED:');
    await keys(stdin, 's', 'u');
    f = await until(lastFrame, (x) => x.includes('STATUS▲'));
    expect(f.split('\n')[3]).not.toContain('FAILED:');
    unmount();
  });

  it('e writes the sessions shown to a file, byte for byte what `tlsscope export` writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlsscope-tui-'));
    const path = join(dir, 'out.json');
    const { lastFrame, stdin, unmount } = render(<App name="x" sessions={sessions} width={120} height={35} />);
    await tick();
    await keys(stdin, 'e');
    await until(lastFrame, (x) => x.includes('export 34 sessions to:'));
    await keys(stdin, '\x15', path, '\r');
    await until(lastFrame, (x) => x.includes(`wrote 34 sessions to ${path}`));
    const cli = execFileSync(process.execPath, [join(ROOT, 'bin', 'tlsscope.js'), 'export', CAPTURE], { encoding: 'utf8', maxBuffer: 1 << 28 });
    // same format, one session per line; the UI writes them in its (time) order, the CLI as they complete
    const lines = (t: string): string[] => t.split('\n').map((l) => l.replace(/,$/, '')).sort();
    const saved = readFileSync(path, 'utf8');
    expect(saved.startsWith('[\n') && saved.endsWith('\n]\n')).toBe(true);
    expect(lines(saved)).toEqual(lines(cli));
    // an unwritable path: an error line, the UI goes on
    await keys(stdin, 'e', '\x15', join(dir, 'no', 'such', 'dir.json'), '\r');
    const f = await until(lastFrame, (x) => x.includes('export failed'));
    expect(f).toContain('ENOENT');
    unmount();
  });

  it('n jumps to the next failed session', async () => {
    const { lastFrame, stdin, unmount } = render(<App name="x" sessions={sessions} width={120} height={35} />);
    await tick();
    await keys(stdin, 'n', '\r');
    const f = await until(lastFrame, (x) => x.includes('── session'));
    const id = sessions.find((s) => s.findings.some((x) => x.severity === 'high') && !s.established)!.id;
    expect(f).toContain(`── session ${id} `);
    unmount();
  });

  it('the header shows a progress bar while the capture is read', async () => {
    let sink: LoadSink | undefined;
    const { lastFrame, unmount } = render(<App name="big.pcap" load={(s) => (sink = s)} width={120} height={24} batchMs={5} />);
    await tick();
    sink!.progress!({ bytes: 50e6, total: 200e6, mbps: 123.4 });
    sink!.sessions([mk()]);
    const f = await until(lastFrame, (x) => x.includes('25%'));
    expect(f).toContain('50/200 MB');
    expect(f).toContain('123.4 MB/s');
    expect(f).toContain('1 session');
    sink!.done({ packets: 10 });
    await until(lastFrame, (x) => x.includes('10 packets') && !x.includes('25%'));
    unmount();
  });

});
