/**
 * The terminal UI driven as a person would: the real binary in tmux,
 * keys sent with send-keys, the screen read with capture-pane.
 * Skipped, with the reason printed, when tmux is not installed (.ci/run installs it).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, FIXTURES } from './helpers.js';

const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;
if (!HAVE_TMUX) process.stderr.write('tui-tmux: skipped: tmux is not installed\n');
// one tmux server (socket) per test: a server just killed cannot be reused at once
let session = '';
let n = 0;
const fresh = (): void => {
  session = `tlsscope-test-${process.pid}-${n++}`;
};
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-t', session, '-p');
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred: (s: string) => boolean, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  let s = '';
  while (Date.now() < end) {
    s = screen();
    if (pred(s)) return s;
    await sleep(100);
  }
  throw new Error(`screen never matched; last screen:\n${s}`);
}

describe.skipIf(!HAVE_TMUX)('tlsscope CAPTURE in tmux', () => {
  it('lists the server names, a filter narrows the list, Enter shows cipher and certificate subject, q exits 0', async () => {
    fresh();
    // Ink draws only the last frame when it believes it runs in CI (the CI variable): a person's terminal has none
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '35',
      `env -u CI -u CONTINUOUS_INTEGRATION ${process.execPath} ${BIN} ${join(FIXTURES, 'demo.pcapng')}; echo "EXIT=$?"; sleep 10`);
    try {
      let s = await waitFor((x) => x.includes('19 sessions') && x.includes('packets'));
      for (const name of ['api.example.com', 'www.example.org', 'cdn.example.net', 'legacy.example.com', 'old.example.net']) expect(s).toContain(name);
      expect(s).toMatch(/FAILED:no_shared_ciph/);
      keys('/');
      await waitFor((x) => x.includes('filter: /'));
      keys('-l', 'sni~legacy');
      keys('Enter');
      s = await waitFor((x) => x.includes('1 of 19 sessions'));
      expect(s).toContain('filter: sni~legacy');
      expect(s).toContain('legacy.example.com');
      expect(s).not.toContain('cdn.example.net');
      keys('Enter');
      s = await waitFor((x) => x.includes('── session'));
      expect(s).toContain('TLS_RSA_WITH_AES_256_CBC_SHA');
      expect(s).toContain('certificate: tlsscope.test');
      keys('q');
      s = await waitFor((x) => x.includes('EXIT='));
      expect(s).toContain('EXIT=0');
      // the alternate screen is left: the list is gone
      expect(s).not.toContain('legacy.example.com');
    } finally {
      spawnSync('tmux', ['-L', session, 'kill-server']);
    }
  }, 40_000);

  it('a file that is not a capture: the one-line error in the terminal, exit 1, no screen', async () => {
    fresh();
    const bad = join(FIXTURES, '..', 'package.json');
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '20', `env -u CI ${process.execPath} ${BIN} ${bad}; echo "EXIT=$?"; sleep 10`);
    try {
      const s = await waitFor((x) => x.includes('EXIT='));
      expect(s).toContain('EXIT=1');
      const lines = s.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^tlsscope: .*package\.json: offset 0: /);
    } finally {
      spawnSync('tmux', ['-L', session, 'kill-server']);
    }
  }, 30_000);
});
