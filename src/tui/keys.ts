/**
 * The one key table of the terminal UI. The input handler looks keys up
 * here, and both the help overlay and the footer are drawn from it.
 */
import { SORT_COLUMNS, SORT_KEYS, type Action } from './state.js';

/** Commands the App carries out itself (they leave the reducer). */
export type Command = Action | { type: 'quit' } | { type: 'export'; path: string };

/**
 * 'browse': the screens; 'edit': typing a filter after '/' or a path after 'e';
 * 'sort': the sort menu after 's'.
 */
export type Mode = 'browse' | 'edit' | 'sort';

export interface Binding {
  mode: Mode;
  /** Normalised key names (see keyName): 'j', 'down', 'pageup', 'enter', 'escape', 'ctrl+c', '?'... */
  keys: string[];
  /** How the keys are shown ('j/↓'). */
  label: string;
  /** What the key does (help overlay). */
  help: string;
  /** Short word for the footer; no footer entry when absent. */
  hint?: string;
  command: Command;
}

const sortBindings: Binding[] = SORT_KEYS.map((k) => ({
  mode: 'sort' as const,
  keys: [SORT_COLUMNS[k].letter],
  label: SORT_COLUMNS[k].letter,
  help: `by ${SORT_COLUMNS[k].label} (again: reverse)`,
  hint: k === 'sni' ? 'SNI' : k,
  command: { type: 'sort', key: k },
}));

export const BINDINGS: readonly Binding[] = [
  { mode: 'browse', keys: ['down', 'j'], label: 'j/↓', help: 'next row (list, tree, groups, hex)', hint: 'move', command: { type: 'move', delta: 1 } },
  { mode: 'browse', keys: ['up', 'k'], label: 'k/↑', help: 'previous row', command: { type: 'move', delta: -1 } },
  { mode: 'browse', keys: ['pagedown', 'ctrl+f'], label: 'PgDn', help: 'next page', command: { type: 'page', delta: 1 } },
  { mode: 'browse', keys: ['pageup', 'ctrl+b'], label: 'PgUp', help: 'previous page', command: { type: 'page', delta: -1 } },
  { mode: 'browse', keys: ['g', 'home'], label: 'g/Home', help: 'first row', command: { type: 'home' } },
  { mode: 'browse', keys: ['G', 'end'], label: 'G/End', help: 'last row', command: { type: 'end' } },
  { mode: 'browse', keys: ['enter'], label: 'enter', help: 'details / back to the list; on a group or diagnosis line: filter to it', hint: 'open', command: { type: 'open' } },
  { mode: 'browse', keys: ['tab'], label: 'tab', help: 'focus: list <-> detail tree', hint: 'focus', command: { type: 'focus' } },
  { mode: 'browse', keys: [' '], label: 'space', help: 'expand/collapse the tree node', command: { type: 'toggleNode' } },
  { mode: 'browse', keys: ['right', 'l'], label: '→/l', help: 'expand (hex: next message)', command: { type: 'expand' } },
  { mode: 'browse', keys: ['left', 'h'], label: '←/h', help: 'collapse, or go to the parent (hex: previous message)', command: { type: 'collapse' } },
  { mode: 'browse', keys: ['escape'], label: 'esc', help: 'back: details, focus, other screens', command: { type: 'back' } },
  { mode: 'browse', keys: ['/'], label: '/', help: 'edit the filter', hint: 'filter', command: { type: 'editStart' } },
  { mode: 'browse', keys: ['s'], label: 's', help: 'sort column, again to reverse (groups: group by)', hint: 'sort', command: { type: 'sortMenu' } },
  { mode: 'browse', keys: ['n'], label: 'n', help: 'next failed session', hint: 'next fail', command: { type: 'nextFailed', delta: 1 } },
  { mode: 'browse', keys: ['N'], label: 'N', help: 'previous failed session', command: { type: 'nextFailed', delta: -1 } },
  { mode: 'browse', keys: ['f'], label: 'f', help: 'failures only (toggle)', command: { type: 'toggleFailures' } },
  { mode: 'browse', keys: ['1'], label: '1', help: 'sessions screen', command: { type: 'screen', screen: 'sessions' } },
  { mode: 'browse', keys: ['2', 'b'], label: '2/b', help: 'groups: by SNI, server, JA3, JA4, version, cipher, finding', command: { type: 'screen', screen: 'groups' } },
  { mode: 'browse', keys: ['3', 'd'], label: '3/d', help: 'diagnosis: why handshakes failed', command: { type: 'screen', screen: 'diagnosis' } },
  { mode: 'browse', keys: ['4', 'x'], label: '4/x', help: 'hex of the selected message (field under the tree cursor highlighted)', command: { type: 'screen', screen: 'hex' } },
  { mode: 'browse', keys: ['e'], label: 'e', help: 'export the sessions shown to a JSON file', hint: 'export', command: { type: 'exportStart' } },
  { mode: 'browse', keys: ['?'], label: '?', help: 'this help', hint: 'help', command: { type: 'toggleHelp' } },
  { mode: 'browse', keys: ['q', 'ctrl+c'], label: 'q', help: 'quit', hint: 'quit', command: { type: 'quit' } },
  ...sortBindings,
  { mode: 'sort', keys: ['r'], label: 'r', help: 'reverse the order', hint: 'reverse', command: { type: 'sortReverse' } },
  { mode: 'sort', keys: ['escape'], label: 'esc', help: 'close the menu', hint: 'cancel', command: { type: 'back' } },
  { mode: 'sort', keys: ['ctrl+c'], label: 'ctrl+c', help: 'quit', command: { type: 'quit' } },
  { mode: 'edit', keys: ['enter'], label: 'enter', help: 'apply', hint: 'apply', command: { type: 'editApply' } },
  { mode: 'edit', keys: ['escape'], label: 'esc', help: 'cancel', hint: 'cancel', command: { type: 'editCancel' } },
  { mode: 'edit', keys: ['backspace'], label: '⌫', help: 'delete a character', command: { type: 'editBackspace' } },
  { mode: 'edit', keys: ['ctrl+u'], label: 'ctrl+u', help: 'clear', hint: 'clear', command: { type: 'editClear' } },
  { mode: 'edit', keys: ['ctrl+c'], label: 'ctrl+c', help: 'quit', command: { type: 'quit' } },
];

/** The subset of Ink's `Key` that keyName reads. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

/** Normalise one Ink key event to the names used in BINDINGS. */
export function keyName(input: string, key: KeyInfo): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return 'tab';
  // many terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  return input;
}

export function lookup(mode: Mode, name: string): Binding | undefined {
  return BINDINGS.find((b) => b.mode === mode && b.keys.includes(name));
}

/** Footer hints for a mode: 'label word' pairs, in table order. */
export function footerHints(mode: Mode): { label: string; hint: string }[] {
  return BINDINGS.filter((b) => b.mode === mode && b.hint !== undefined).map((b) => ({ label: b.label, hint: b.hint as string }));
}
