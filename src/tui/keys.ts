/**
 * The one key table of the terminal UI. The input handler looks keys up
 * here, and both the help overlay and the footer are drawn from it.
 */
import type { Action } from './state.js';

export type Command = Action | { type: 'quit' };

/** 'browse': the session list; 'edit': typing a filter after '/'. */
export type Mode = 'browse' | 'edit';

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

export const BINDINGS: readonly Binding[] = [
  { mode: 'browse', keys: ['down', 'j'], label: 'j/↓', help: 'next session', hint: 'move', command: { type: 'move', delta: 1 } },
  { mode: 'browse', keys: ['up', 'k'], label: 'k/↑', help: 'previous session', command: { type: 'move', delta: -1 } },
  { mode: 'browse', keys: ['pagedown', 'ctrl+f', ' '], label: 'PgDn', help: 'next page', command: { type: 'page', delta: 1 } },
  { mode: 'browse', keys: ['pageup', 'ctrl+b'], label: 'PgUp', help: 'previous page', command: { type: 'page', delta: -1 } },
  { mode: 'browse', keys: ['g', 'home'], label: 'g/Home', help: 'first session', command: { type: 'home' } },
  { mode: 'browse', keys: ['G', 'end'], label: 'G/End', help: 'last session', command: { type: 'end' } },
  { mode: 'browse', keys: ['enter'], label: 'enter', help: 'open/close the details', hint: 'details', command: { type: 'toggleDetail' } },
  { mode: 'browse', keys: ['escape'], label: 'esc', help: 'close the details', command: { type: 'collapse' } },
  { mode: 'browse', keys: ['J', 'right'], label: 'J/→', help: 'scroll the details down', command: { type: 'scrollDetail', delta: 3 } },
  { mode: 'browse', keys: ['K', 'left'], label: 'K/←', help: 'scroll the details up', command: { type: 'scrollDetail', delta: -3 } },
  { mode: 'browse', keys: ['/'], label: '/', help: 'edit the filter', hint: 'filter', command: { type: 'editStart' } },
  { mode: 'browse', keys: ['f'], label: 'f', help: 'failures only (toggle)', hint: 'failures', command: { type: 'toggleFailures' } },
  { mode: 'browse', keys: ['s'], label: 's', help: 'cycle the sort order', hint: 'sort', command: { type: 'sort' } },
  { mode: 'browse', keys: ['?'], label: '?', help: 'this help', hint: 'help', command: { type: 'toggleHelp' } },
  { mode: 'browse', keys: ['q', 'ctrl+c'], label: 'q', help: 'quit', hint: 'quit', command: { type: 'quit' } },
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
