/**
 * Key events to commands, through the key table. Pure: given the state and
 * one Ink input event, the commands to run in order. A burst of plain
 * characters in one event (typed fast, pasted, or sent by tmux send-keys) is
 * taken one character at a time, the state advanced by the reducer between
 * them, so "/sni:x\r" edits and applies a filter.
 */
import { keyName, lookup, type Command, type KeyInfo, type Mode } from './keys.js';
import { reducer, type Action, type State } from './state.js';

export function modeOf(s: State): Mode {
  if (s.editing !== null) return 'edit';
  return s.sortMenu ? 'sort' : 'browse';
}

function one(s: State, name: string, input: string, key: KeyInfo): Command | null {
  const mode = modeOf(s);
  const b = lookup(mode, name);
  if (s.help) {
    // the movement keys scroll the help, any other key closes it; quit still quits
    const c = b?.command;
    if (c?.type === 'quit') return c;
    if (c?.type === 'move') return { type: 'scrollHelp', delta: c.delta };
    if (c?.type === 'page') return { type: 'scrollHelp', delta: c.delta * 10 };
    return { type: 'toggleHelp' };
  }
  // Enter on the export prompt: the App writes the file (and closes the prompt)
  if (b?.command.type === 'editApply' && s.editKind === 'export') return { type: 'export', path: s.editing ?? '' };
  if (b) return b.command;
  // any other key closes the sort menu
  if (mode === 'sort') return { type: 'back' };
  if (mode === 'edit' && !key.ctrl && !key.meta && input.length > 0 && !/[\x00-\x1f\x7f]/.test(input)) return { type: 'editInput', text: input };
  return null;
}

export function commandsFor(s: State, input: string, key: KeyInfo): Command[] {
  const name = keyName(input, key);
  const special = name !== input || input.length <= 1;
  if (special) {
    const c = one(s, name, input, key);
    return c ? [c] : [];
  }
  const out: Command[] = [];
  let cur = s;
  for (const ch of Array.from(input)) {
    const k: KeyInfo = ch === '\r' || ch === '\n' ? { return: true } : ch === '\x7f' || ch === '\b' ? { backspace: true } : ch === '\x1b' ? { escape: true } : {};
    const c = one(cur, keyName(ch, k), ch, k);
    if (!c) continue;
    out.push(c);
    if (c.type === 'quit') break;
    cur = reducer(cur, c.type === 'export' ? { type: 'editApply' } : (c as Action));
  }
  return out;
}
