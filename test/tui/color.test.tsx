/**
 * Colours on and off (NO_COLOR). Ink colours through chalk, which colours
 * nothing when the process has no terminal (as under vitest): FORCE_COLOR is
 * set before Ink is loaded so the difference is visible in the frames.
 */
import { describe, expect, it } from 'vitest';
import { failed, mk } from './sessions.js';

process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { App } = await import('../../src/tui/App.js');

const sessions = [mk({ server_name: 'a.example' }), failed('cert_expired', { server_name: 'b.example' })];
// eslint-disable-next-line no-control-regex
const COLOUR = /\x1b\[(3[0-7]|9[0-7]|38;[0-9;]+)m/g;
// eslint-disable-next-line no-control-regex
const plain = (f: string): string => f.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trimEnd()).join('\n');

describe('colours', () => {
  it('NO_COLOR: no colour escapes, the same text, the selection still in inverse video', async () => {
    const before = process.env.NO_COLOR;
    const on = render(<App name="x" sessions={sessions} width={120} height={20} />);
    process.env.NO_COLOR = '1';
    const off = render(<App name="x" sessions={sessions} width={120} height={20} />);
    if (before === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = before;
    await new Promise((r) => setTimeout(r, 20));
    const a = on.lastFrame() ?? '';
    const b = off.lastFrame() ?? '';
    expect((a.match(COLOUR) ?? []).length).toBeGreaterThan(3); // red FAILED, green ok, cyan titles...
    expect(b.match(COLOUR)).toBeNull();
    expect(b).toContain('\x1b[7m'); // inverse: the selected row
    expect(plain(b)).toBe(plain(a));
    on.unmount();
    off.unmount();
  });
});
