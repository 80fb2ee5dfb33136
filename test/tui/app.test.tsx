import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { App, type LoadSink } from '../../src/tui/App.js';
import { BINDINGS } from '../../src/tui/keys.js';
import { analyze } from '../../src/analyze.js';
import { failed, mk } from './sessions.js';
import { tick, until } from './wait.js';



const sessions = Array.from({ length: 40 }, (_, i) => (i === 5 ? failed('cert_expired', { server_name: `host${i}.example` }) : mk({ server_name: `host${i}.example` })));

function lineWith(frame: string, text: string): string {
  return frame.split('\n').find((l) => l.includes(text)) ?? '';
}

describe('tui App', () => {
  it('renders only the rows that fit, with header and footer', () => {
    const { lastFrame, unmount } = render(<App name="x.pcapng" sessions={sessions} width={100} height={24} />);
    const f = lastFrame() ?? '';
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines[0]).toContain('x.pcapng');
    expect(lines[0]).toContain('40 sessions');
    expect(lines[0]).toContain('1 failed');
    expect(f).toContain('host0.example');
    expect(f).toContain('FAILED:cert_expired');
    expect(f).not.toContain('host30.example'); // windowed: below the fold
    expect(lines.at(-1)).toContain('? help');
    unmount();
  });

  it('moves the selection with j and opens the detail pane on enter', async () => {
    const { lastFrame, stdin, unmount } = render(<App name="x" sessions={sessions} width={100} height={30} />);
    await tick();
    for (let i = 0; i < 5; i++) {
      stdin.write('j');
      await tick(5);
    }
    stdin.write('\r');
    const f = await until(lastFrame, (x) => x.includes('── session'));
    expect(f).toContain(`── session ${sessions[5]!.id}`);
    // the tree: summary, then the plain-language findings, open
    expect(f).toContain('▾ Findings (1)');
    expect(f).toContain('HIGH   cert_expired');
    expect(f).toContain('cert_expired happened');
    expect(f).toContain('(tree: ↑↓ move');
    // Enter again: back to the list (the tree stays); Esc closes it
    stdin.write('\r');
    await until(lastFrame, (x) => x.includes('(tab or enter: into the tree)'));
    stdin.write('\x1b');
    await until(lastFrame, (x) => !x.includes('── session'));
    unmount();
  });

  it('filters through /: typed text, live error with its column, enter applies, esc cancels', async () => {
    const { lastFrame, stdin, unmount } = render(<App name="x" sessions={sessions} width={100} height={24} />);
    await tick();
    stdin.write('/');
    await tick();
    for (const ch of 'bogus:1') {
      stdin.write(ch);
      await tick(5);
    }
    let f = await until(lastFrame, (x) => x.includes("unknown field 'bogus'"));
    expect(lineWith(f, 'filter: /')).toContain('col 1:');
    for (let i = 0; i < 7; i++) {
      stdin.write('\x7f');
      await tick(5);
    }
    for (const ch of 'sni:host5') {
      stdin.write(ch);
      await tick(5);
    }
    stdin.write('\r');
    f = await until(lastFrame, (x) => x.includes('1 of 40 sessions'));
    expect(f).toContain('filter: sni:host5');
    expect(f).toContain('host5.example');
    expect(f).not.toContain('host4.example');
    stdin.write('/');
    await tick();
    stdin.write('zzz');
    await tick();
    stdin.write('\x1b');
    f = await until(lastFrame, (x) => !x.includes('filter: /'));
    expect(f).toContain('filter: sni:host5');
    unmount();
  });

  it('draws a hostile SNI escaped (ANSI escapes, bidi controls)', async () => {
    const evil = mk({ server_name: 'evil\x1b[31mred\u202eexample.com\x07', alpn: 'h2\x1b]0;pwn\x07' });
    const { lastFrame, stdin, unmount } = render(<App name="x" sessions={[evil]} width={140} height={30} />);
    await tick();
    stdin.write('\r');
    const f = await until(lastFrame, (x) => x.includes('── session'));
    expect(f).toContain('evil\\x1b[31mred\\u{202e}example.com\\x07');
    expect(f).toContain('h2\\x1b]0;pwn\\x07');
    expect(f).not.toContain('\u202e');
    expect(f).not.toContain('\x07');
    expect(f).not.toContain('\x1b]0;');
    expect(f).not.toContain('\x1b[31mred');
    unmount();
  });

  it('the help overlay lists every binding of the key table (scrolling with j)', async () => {
    const { lastFrame, stdin, unmount } = render(<App name="x" sessions={sessions} width={160} height={30} />);
    await tick();
    stdin.write('?');
    let f = await until(lastFrame, (x) => x.includes('Keys'));
    let seen = f;
    for (let i = 0; i < 40; i++) {
      stdin.write('j');
      await tick(5);
      seen += lastFrame() ?? '';
    }
    for (const b of BINDINGS) {
      expect(seen).toContain(b.label);
      // the sort menu's letters are listed compactly: letter and column
      expect(seen).toContain(b.mode === 'sort' && b.command.type === 'sort' ? `${b.label} ${b.hint}` : b.help);
    }
    expect(seen).toContain('Filter');
    stdin.write('x'); // any other key closes it
    f = await until(lastFrame, (x) => !x.includes('Keys'));
    expect(f).toContain('host0.example');
    unmount();
  });

  it('shows loading, then sessions as they arrive, then a read error without crashing', async () => {
    let sink: LoadSink | undefined;
    const { lastFrame, unmount } = render(<App name="x" load={(s) => (sink = s)} width={100} height={24} batchMs={5} />);
    await tick();
    expect(lastFrame()).toContain('loading…');
    sink!.sessions(sessions.slice(0, 3));
    await until(lastFrame, (x) => x.includes('3 sessions') && x.includes('loading…'));
    sink!.sessions(sessions.slice(3, 10));
    sink!.done({ error: 'x: offset 1234: truncated packet record' });
    const f = await until(lastFrame, (x) => x.includes('read error'));
    expect(f).toContain('10 sessions');
    expect(f).not.toContain('loading…');
    expect(f).toContain('offset 1234');
    unmount();
  });

  it('works at 80x24 (columns fit, no line wider than the terminal)', () => {
    const { lastFrame, unmount } = render(<App name="x" sessions={sessions} width={80} height={23} />);
    const f = lastFrame() ?? '';
    for (const l of f.split('\n')) expect(Array.from(l).length).toBeLessThanOrEqual(80);
    expect(f.split('\n')).toHaveLength(23);
    unmount();
  });

  it('browses fixtures/demo.pcapng loaded through analyze', async () => {
    const load = (sink: LoadSink): void => {
      void analyze('fixtures/demo.pcapng', { keepSessions: false, onSession: (s) => sink.sessions([s]) }).then(
        (r) => sink.done({ packets: r.packets }),
        (e: unknown) => sink.done({ error: String(e) }),
      );
    };
    const { lastFrame, stdin, unmount } = render(<App name="fixtures/demo.pcapng" load={load} width={140} height={40} />);
    const f = await until(lastFrame, (x) => x.includes('packets'));
    expect(f).toContain('demo.pcapng');
    expect(f).toContain('19 sessions');
    expect(f).toContain('4 failed');
    expect(f).toContain('FAILED:no_shared_cipher');
    stdin.write('f');
    await until(lastFrame, (x) => x.includes('4 of 19 sessions'));
    unmount();
  });
});
