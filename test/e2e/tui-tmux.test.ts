/**
 * The terminal UI driven as a person would: the real binary in tmux,
 * keys sent with send-keys, the screen read with capture-pane.
 * Skipped when tmux is not installed.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, FIXTURES } from './helpers.js';

const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;
const session = `tlsscope-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred: (s: string) => boolean, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let s = '';
  while (Date.now() < end) {
    s = screen();
    if (pred(s)) return s;
    await sleep(100);
  }
  return s;
}

describe.skipIf(!HAVE_TMUX)('tlsscope CAPTURE in tmux', () => {
  it('lists sessions, filters to failures, opens the details, quits with q', async () => {
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '35', // Ink draws only the last frame when it believes it runs in CI (the CI variable): a person's terminal has none
      `env -u CI -u CONTINUOUS_INTEGRATION ${process.execPath} ${BIN} ${join(FIXTURES, 'diagnose.pcapng')}; sleep 5`);
    try {
      let s = await waitFor((x) => x.includes('34 sessions'));
      expect(s).toContain('api.example.com');
      expect(s).toMatch(/FAILED:protocol_vers/);
      tmux('send-keys', '-t', session, 'f');
      s = await waitFor((x) => x.includes('failures only'));
      expect(s).toMatch(/14 of 34 sessions/);
      tmux('send-keys', '-t', session, 'Enter');
      s = await waitFor((x) => x.includes('Findings'));
      expect(s).toContain('protocol_version_mismatch');
      expect(s).toMatch(/alert protocol_version \(70\)/);
      tmux('send-keys', '-t', session, 'q');
      s = await waitFor((x) => !x.includes('Findings'));
      expect(s).not.toContain('j/↓ move');
    } finally {
      spawnSync('tmux', ['-L', session, 'kill-server']);
    }
  }, 30_000);
});
