import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPORT_PATH, detailRows, diagnoseView, initialState, isFailed, layout, needsDiagnosis, reducer, selectedSession, SORT_KEYS, visibleRows,
  type Action, type State,
} from '../../src/tui/state.js';
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

  it('the detail pane shrinks the list; Enter/Tab move the focus into the tree and back; resize recomputes the window', () => {
    let s = initialState({ width: 80, height: 24, sessions: many });
    s = run(s, { type: 'end' }, { type: 'open' });
    expect(s.detailOpen).toBe(true);
    expect(s.focus).toBe('detail');
    const { listRows, detailRows: rows } = layout(s);
    expect(listRows).toBeGreaterThanOrEqual(3);
    expect(listRows + rows + 1 + 4).toBe(24);
    expect(s.cursor - s.top).toBeLessThan(listRows);
    // movement now goes to the tree, not the list
    const cursor = s.cursor;
    s = run(s, { type: 'move', delta: 2 });
    expect(s.cursor).toBe(cursor);
    expect(s.treeCursor).toBe(2);
    s = run(s, { type: 'open' });
    expect(s.focus).toBe('list');
    expect(s.detailOpen).toBe(true);
    s = run(s, { type: 'move', delta: -1 });
    expect(s.cursor).toBe(cursor - 1);
    expect(s.treeCursor).toBe(0); // a new selection starts its tree at the top
    s = run(s, { type: 'focus' }, { type: 'focus' });
    expect(s.focus).toBe('list');
    s = run(s, { type: 'back' });
    expect(s.detailOpen).toBe(false);
    s = run(s, { type: 'resize', width: 120, height: 10 });
    expect(s.width).toBe(120);
    expect(s.cursor - s.top).toBeLessThan(layout(s).listRows);
  });

  it('expands and collapses tree nodes; Left on a closed node goes to its parent', () => {
    let s = run(initialState({ width: 100, height: 40, sessions: many }), { type: 'open' });
    const rows0 = detailRows(s);
    const at = rows0.findIndex((r) => r.hasChildren && !r.open);
    expect(at).toBeGreaterThan(0);
    s = run(s, { type: 'move', delta: at });
    s = run(s, { type: 'expand' });
    const rows1 = detailRows(s);
    expect(rows1.length).toBeGreaterThan(rows0.length);
    expect(rows1[at]!.open).toBe(true);
    // into the first child, then Left twice: closed child -> parent, parent open -> closed
    s = run(s, { type: 'move', delta: 1 });
    const child = detailRows(s)[s.treeCursor]!;
    expect(child.depth).toBe(rows1[at]!.depth + 1);
    if (!child.hasChildren || !child.open) {
      s = run(s, { type: 'collapse' });
      expect(s.treeCursor).toBe(at);
    }
    s = run(s, { type: 'collapse' });
    expect(detailRows(s).length).toBe(rows0.length);
    s = run(s, { type: 'toggleNode' }, { type: 'toggleNode' });
    expect(detailRows(s).length).toBe(rows0.length);
  });

  it('n/N jump to the next/previous failed session, wrapping around', () => {
    let s = initialState({ width: 80, height: 24, sessions: many });
    const failedAt = s.view.map((i, k) => (isFailed(s.sessions[i]!) ? k : -1)).filter((k) => k >= 0);
    expect(failedAt.length).toBe(5);
    s = run(s, { type: 'nextFailed', delta: 1 });
    expect(s.cursor).toBe(failedAt[0]);
    s = run(s, { type: 'nextFailed', delta: 1 });
    expect(s.cursor).toBe(failedAt[1]);
    s = run(s, { type: 'nextFailed', delta: -1 }, { type: 'nextFailed', delta: -1 });
    expect(s.cursor).toBe(failedAt[4]);
    expect(s.message?.text).toContain('wrapped');
    s = run(initialState({ sessions: [mk(), mk()] }), { type: 'nextFailed', delta: 1 });
    expect(s.message?.text).toContain('no failed session');
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

  it('sorts by any column through the menu; the same column again reverses; ties stay in time order', () => {
    const a = mk({ server_name: 'b', timing: { ...mk().timing, handshake_ms: 5 } });
    const b = failed('alpn_mismatch', { server_name: 'a' });
    const c = mk({ server_name: 'c', timing: { ...mk().timing, handshake_ms: 50 } });
    const d = mk({ server_name: 'b', timing: { ...mk().timing, handshake_ms: 7 } });
    let s = initialState({ sessions: [a, b, c, d] });
    const names = (x: State): (string | null)[] => x.view.map((i) => x.sessions[i]!.server_name);
    expect(s.sort).toBe('time');
    s = run(s, { type: 'sortMenu' });
    expect(s.sortMenu).toBe(true);
    expect(commandsFor(s, 'u', {})).toEqual([{ type: 'sort', key: 'status' }]);
    s = run(s, { type: 'sort', key: 'status' });
    expect(s.sortMenu).toBe(false);
    expect(names(s)[0]).toBe('a');
    s = run(s, { type: 'sort', key: 'ms' });
    // slowest first: c 50, b 30 (the default), d 7, a 5
    expect(names(s)).toEqual(['c', 'a', 'b', 'b']);
    s = run(s, { type: 'sort', key: 'sni' });
    expect(s.view.map((i) => s.sessions[i]!.id)).toEqual([b.id, a.id, d.id, c.id]);
    s = run(s, { type: 'sort', key: 'sni' });
    expect(s.reverse).toBe(true);
    expect(names(s)).toEqual(['c', 'b', 'b', 'a']);
    s = run(s, { type: 'sortReverse' });
    expect(s.reverse).toBe(false);
    // every column sorts without losing a session
    for (const k of SORT_KEYS) {
      s = run(s, { type: 'sort', key: k });
      expect([...s.view].sort()).toEqual([0, 1, 2, 3]);
    }
    // sessions arriving later are merged into the order
    s = run(s, { type: 'sort', key: 'time' });
    if (s.reverse) s = run(s, { type: 'sortReverse' });
    const e = mk({ server_name: 'e' });
    s = run(s, { type: 'sessionsArrived', sessions: [e] });
    expect(names(s)).toEqual(['b', 'a', 'c', 'b', 'e']);
  });

  it('groups: s changes the grouping, Enter filters the list to a group (ANDed with the filter)', () => {
    let s = initialState({ width: 100, height: 30, sessions: many });
    s = run(s, { type: 'filter', text: 'status=failed or sni~h1' });
    const shown = s.view.length;
    s = run(s, { type: 'screen', screen: 'groups' });
    expect(s.screen).toBe('groups');
    expect(s.groups!.reduce((n, g) => n + g.count, 0)).toBe(shown);
    s = run(s, { type: 'sortMenu' });
    expect(s.groupBy).not.toBe('sni');
    while (s.groupBy !== 'sni') s = run(s, { type: 'sortMenu' });
    s = run(s, { type: 'move', delta: 1 });
    const g = s.groups![s.groupCursor]!;
    s = run(s, { type: 'open' });
    expect(s.screen).toBe('sessions');
    expect(s.view.length).toBe(g.count);
    expect(s.filterText).toContain('status=failed');
    expect(s.filterText).toContain(g.filter);
  });

  it('diagnosis: lines arrive for the view they were made for; Enter lists the sessions behind a line', () => {
    let s = initialState({ width: 100, height: 30, sessions: many });
    s = run(s, { type: 'screen', screen: 'diagnosis' });
    expect(needsDiagnosis(s)).toBe(true);
    const lines = diagnoseView(s);
    // lines for another view are dropped
    expect(run(s, { type: 'diagnosed', view: [], width: s.width, lines })).toBe(s);
    s = run(s, { type: 'diagnosed', view: s.view, width: s.width, lines });
    expect(needsDiagnosis(s)).toBe(false);
    const k = s.diag!.findIndex((d) => d.filter !== null && d.filter.includes('cause=no_shared_cipher'));
    expect(k).toBeGreaterThanOrEqual(0);
    s = run(s, { type: 'move', delta: k });
    s = run(s, { type: 'open' });
    expect(s.screen).toBe('sessions');
    // one group per server name here: the line selects its one session
    expect(s.view.length).toBe(1);
    expect(s.sessions[s.view[0]!]!.findings.map((f) => f.code)).toContain('no_shared_cipher');
  });

  it('the export prompt edits a path; Enter becomes an export command for the App', () => {
    let s = initialState({ sessions: many });
    s = run(s, { type: 'exportStart' });
    expect(s.editing).toBe(DEFAULT_EXPORT_PATH);
    expect(s.editKind).toBe('export');
    s = run(s, { type: 'editClear' }, { type: 'editInput', text: '/tmp/x.json' });
    expect(s.filterError).toBeNull();
    expect(commandsFor(s, '\r', { return: true })).toEqual([{ type: 'export', path: '/tmp/x.json' }]);
    s = run(s, { type: 'editApply' });
    expect(s.editing).toBeNull();
    expect(s.filterText).toBe('');
  });

  it('the hex screen needs raw bytes: without them it says so and stays', () => {
    let s = initialState({ sessions: many });
    s = run(s, { type: 'screen', screen: 'hex' });
    expect(s.screen).toBe('sessions');
    expect(s.message?.error).toBe(true);
  });

  it('help toggles; movement keys scroll it, any other key closes it', () => {
    let s = run(initialState({ sessions: many }), { type: 'toggleHelp' });
    expect(s.help).toBe(true);
    expect(commandsFor(s, 'x', {})).toEqual([{ type: 'toggleHelp' }]);
    expect(commandsFor(s, 'j', {})).toEqual([{ type: 'scrollHelp', delta: 1 }]);
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
    for (const mode of ['browse', 'edit', 'sort'] as const) {
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
