import { describe, expect, it } from 'vitest';
import { initialState, layout, reducer, selectedSession, visibleRows, type Action, type State } from '../../src/tui/state.js';
import { commandsFor } from '../../src/tui/input.js';
import { BINDINGS, footerHints, keyName, lookup } from '../../src/tui/keys.js';
import { failed, mk } from './sessions.js';

function run(s: State, ...actions: Action[]): State {
  return actions.reduce(reducer, s);
}

const many = Array.from({ length: 50 }, (_, i) => (i % 10 === 3 ? failed('no_shared_cipher', { server_name: `h${i}.test` }) : mk({ server_name: `h${i}.test` })));

describe('tui reducer', () => {
  it('starts loading and takes sessions in batches, counting failures', () => {
    let s = initialState({ width: 80, height: 24 });
    expect(s.loading).toBe(true);
    s = run(s, { type: 'sessionsArrived', sessions: many.slice(0, 20) }, { type: 'sessionsArrived', sessions: many.slice(20) });
    expect(s.sessions).toHaveLength(50);
    expect(s.view).toHaveLength(50);
    expect(s.failed).toBe(5);
    s = run(s, { type: 'loadDone', info: { packets: 1000 } });
    expect(s.loading).toBe(false);
    expect(s.packets).toBe(1000);
    s = run(s, { type: 'loadDone', info: { error: 'x: offset 9: truncated' } });
    expect(s.loadError).toBe('x: offset 9: truncated');
  });

  it('moves, pages, home/end, clamps and keeps the cursor on screen', () => {
    let s = initialState({ width: 80, height: 24, sessions: many });
    const rows = layout(s).listRows;
    expect(rows).toBe(20);
    s = run(s, { type: 'move', delta: -1 });
    expect(s.cursor).toBe(0);
    s = run(s, { type: 'move', delta: 1 }, { type: 'move', delta: 1 });
    expect(s.cursor).toBe(2);
    expect(selectedSession(s)?.id).toBe(many[2]?.id);
    s = run(s, { type: 'end' });
    expect(s.cursor).toBe(49);
    expect(s.top).toBe(50 - rows);
    expect(visibleRows(s).map((r) => r.index)).toEqual(Array.from({ length: rows }, (_, i) => 30 + i));
    s = run(s, { type: 'home' });
    expect([s.cursor, s.top]).toEqual([0, 0]);
    s = run(s, { type: 'page', delta: 1 });
    expect(s.cursor).toBe(rows - 1);
    s = run(s, { type: 'page', delta: 5 });
    expect(s.cursor).toBe(49);
    s = run(s, { type: 'move', delta: 99 });
    expect(s.cursor).toBe(49);
  });

  it('the detail pane shrinks the list; resize recomputes the window', () => {
    let s = initialState({ width: 80, height: 24, sessions: many });
    s = run(s, { type: 'end' }, { type: 'expand' });
    expect(s.detailOpen).toBe(true);
    const { listRows, detailRows } = layout(s);
    expect(listRows).toBeGreaterThanOrEqual(3);
    expect(listRows + detailRows + 1 + 4).toBe(24);
    expect(s.cursor - s.top).toBeLessThan(listRows);
    s = run(s, { type: 'scrollDetail', delta: 3 });
    expect(s.detailScroll).toBe(3);
    s = run(s, { type: 'move', delta: -1 });
    expect(s.detailScroll).toBe(0);
    s = run(s, { type: 'collapse' }, { type: 'toggleDetail' }, { type: 'toggleDetail' });
    expect(s.detailOpen).toBe(false);
    s = run(s, { type: 'resize', width: 120, height: 10 });
    expect(s.width).toBe(120);
    expect(s.cursor - s.top).toBeLessThan(layout(s).listRows);
  });

  it('filters (with errors kept in the editor), failures only, selection follows the session', () => {
    let s = initialState({ width: 80, height: 24, sessions: many });
    s = run(s, { type: 'select', id: many[13]!.id });
    expect(selectedSession(s)?.id).toBe(many[13]!.id);
    s = run(s, { type: 'toggleFailures' });
    expect(s.view).toHaveLength(5);
    expect(selectedSession(s)?.id).toBe(many[13]!.id);
    s = run(s, { type: 'toggleFailures' });
    s = run(s, { type: 'editStart' }, { type: 'editInput', text: 'sni:h1' });
    expect(s.editing).toBe('sni:h1');
    expect(s.view).toHaveLength(50); // not applied yet
    s = run(s, { type: 'editApply' });
    expect(s.editing).toBeNull();
    expect(s.filterText).toBe('sni:h1');
    expect(s.view.map((i) => s.sessions[i]!.server_name)).toEqual(['h1.test', ...Array.from({ length: 10 }, (_, i) => `h${10 + i}.test`)]);
    s = run(s, { type: 'editStart' }, { type: 'editBackspace' }, { type: 'editBackspace' }, { type: 'editInput', text: 'x:(' });
    expect(s.filterError?.pos).toBeGreaterThanOrEqual(0);
    s = run(s, { type: 'editApply' });
    expect(s.editing).toBe('sni:x:(');
    expect(s.filterText).toBe('sni:h1');
    s = run(s, { type: 'editCancel' });
    expect(s.editing).toBeNull();
    s = run(s, { type: 'filter', text: '' });
    expect(s.view).toHaveLength(50);
  });

  it('sorts: cycles through the keys; status puts failures first; ms slowest first', () => {
    const a = mk({ server_name: 'b', timing: { ...mk().timing, handshake_ms: 5 } });
    const b = failed('alpn_mismatch', { server_name: 'a' });
    const c = mk({ server_name: 'c', timing: { ...mk().timing, handshake_ms: 50 } });
    let s = initialState({ sessions: [a, b, c] });
    const names = (x: State): (string | null)[] => x.view.map((i) => x.sessions[i]!.server_name);
    expect(s.sort).toBe('time');
    s = run(s, { type: 'sort', key: 'status' });
    expect(names(s)[0]).toBe('a');
    s = run(s, { type: 'sort', key: 'ms' });
    expect(names(s)).toEqual(['c', 'a', 'b']);
    s = run(s, { type: 'sort', key: 'sni' });
    expect(names(s)).toEqual(['a', 'b', 'c']);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((s = run(s, { type: 'sort' })).sort);
    expect(seen.size).toBe(6);
  });

  it('help toggles; any key closes it', () => {
    let s = run(initialState({ sessions: many }), { type: 'toggleHelp' });
    expect(s.help).toBe(true);
    expect(commandsFor(s, 'j', {})).toEqual([{ type: 'toggleHelp' }]);
    expect(commandsFor(s, 'q', {})).toEqual([{ type: 'quit' }]);
    s = run(s, { type: 'toggleHelp' });
    expect(s.help).toBe(false);
  });
});

describe('key table and input', () => {
  it('maps keys through the one table', () => {
    expect(keyName('', { downArrow: true })).toBe('down');
    expect(keyName('c', { ctrl: true })).toBe('ctrl+c');
    expect(keyName('', { delete: true })).toBe('backspace');
    expect(lookup('browse', 'j')?.command).toEqual({ type: 'move', delta: 1 });
    expect(lookup('browse', 'ctrl+c')?.command).toEqual({ type: 'quit' });
    expect(lookup('edit', 'enter')?.command).toEqual({ type: 'editApply' });
    // no key bound twice in one mode
    for (const mode of ['browse', 'edit'] as const) {
      const keys = BINDINGS.filter((b) => b.mode === mode).flatMap((b) => b.keys);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(footerHints('browse').map((h) => h.label)).toContain('?');
  });

  it('a burst of characters is taken one key at a time, switching modes as it goes', () => {
    const s = initialState({ sessions: many });
    expect(commandsFor(s, 'jj', {})).toEqual([{ type: 'move', delta: 1 }, { type: 'move', delta: 1 }]);
    expect(commandsFor(s, '/ab\r', {})).toEqual([
      { type: 'editStart' }, { type: 'editInput', text: 'a' }, { type: 'editInput', text: 'b' }, { type: 'editApply' },
    ]);
    const editing = run(s, { type: 'editStart' });
    expect(commandsFor(editing, 'q', {})).toEqual([{ type: 'editInput', text: 'q' }]);
    expect(commandsFor(editing, '\x1b[A', { upArrow: true })).toEqual([]);
  });
});
