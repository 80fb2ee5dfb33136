/**
 * The terminal UI's state: a pure reducer over a discriminated union of
 * actions. Nothing here renders or touches the terminal, so it is tested on
 * its own (test/tui/state.test.ts).
 *
 * Screens: the session list (with the detail tree of the selected session
 * below it), the group view, the diagnosis view and the hex view. Movement
 * actions (`move`, `page`, `home`, `end`) act on whatever has the focus: the
 * list, the detail tree, the group or diagnosis lines, or the hex dump.
 *
 * `view` holds the indexes (into `sessions`) of the sessions that pass the
 * filter, in sort order; `cursor` is a position in `view`, `top` the first
 * list row on screen. The selection follows the session (by id) when
 * sessions arrive or the order changes. What is costly per session (status
 * word, failure, sort keys) is computed once when the session arrives
 * (`meta`), so a key press stays cheap with 100,000 sessions.
 */
import type { Session } from '../core/model.js';
import type { Severity } from '../core/types.js';
import { rawMessages } from '../core/raw.js';
import { sessionStatus } from '../cli/render.js';
import { evaluate, FilterError, parseFilter, type FilterExpr } from './filter.js';
import { groupSessions, GROUP_KEYS, type GroupKey, type GroupRow } from './groups.js';
import { diagnosisLines, type DiagLine } from './diagnosis.js';
import { sessionTree, treeRows, type HexRef, type TreeRow } from './tree.js';

export const SORT_KEYS = ['time', 'client', 'server', 'sni', 'version', 'cipher', 'alpn', 'status', 'ms'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** How each sort key is described, and the key that picks it in the sort menu. */
export const SORT_COLUMNS: Record<SortKey, { label: string; letter: string }> = {
  time: { label: 'time', letter: 't' },
  client: { label: 'client', letter: 'c' },
  server: { label: 'server', letter: 's' },
  sni: { label: 'SNI', letter: 'n' },
  version: { label: 'version (newest first)', letter: 'v' },
  cipher: { label: 'cipher', letter: 'p' },
  alpn: { label: 'ALPN', letter: 'a' },
  status: { label: 'status (failures first)', letter: 'u' },
  ms: { label: 'handshake ms (slowest first)', letter: 'm' },
};

export type Screen = 'sessions' | 'groups' | 'diagnosis' | 'hex';
export const SCREENS: readonly Screen[] = ['sessions', 'groups', 'diagnosis', 'hex'];
export type Focus = 'list' | 'detail';

export interface LoadInfo {
  /** One-line error when reading the capture failed part-way. */
  error?: string | null;
  packets?: number;
  warnings?: string[];
}

export interface Progress {
  /** Bytes of the capture file read so far. */
  bytes: number;
  /** File size, when known (not for pipes). */
  total: number | null;
  /** Read rate so far, MB/s (10^6 bytes). */
  mbps: number;
}

export type Action =
  | { type: 'move'; delta: number }
  | { type: 'page'; delta: number }
  | { type: 'home' }
  | { type: 'end' }
  /** Enter: open the selected thing (details, a group, a diagnosis line). */
  | { type: 'open' }
  /** Tab: the focus goes between the list and the detail tree. */
  | { type: 'focus' }
  /** Space: expand or collapse the tree node under the cursor. */
  | { type: 'toggleNode' }
  /** Right: expand (the list: open the details); hex: next message. */
  | { type: 'expand' }
  /** Left: collapse (or go to the parent node; the list: close the details); hex: previous message. */
  | { type: 'collapse' }
  /** Esc: back one level (menu, detail focus, details, other screens). */
  | { type: 'back' }
  | { type: 'screen'; screen: Screen }
  | { type: 'nextFailed'; delta: 1 | -1 }
  | { type: 'filter'; text: string }
  | { type: 'sortMenu' }
  | { type: 'sort'; key: SortKey }
  | { type: 'sortReverse' }
  | { type: 'select'; id: string }
  | { type: 'toggleHelp' }
  | { type: 'scrollHelp'; delta: number }
  | { type: 'toggleFailures' }
  | { type: 'editStart' }
  | { type: 'exportStart' }
  | { type: 'editInput'; text: string }
  | { type: 'editBackspace' }
  | { type: 'editClear' }
  | { type: 'editCancel' }
  | { type: 'editApply' }
  | { type: 'message'; text: string; error?: boolean }
  | { type: 'sessionsArrived'; sessions: readonly Session[] }
  | { type: 'progress'; progress: Progress }
  | { type: 'loadDone'; info?: LoadInfo }
  | { type: 'resize'; width: number; height: number }
  /** The diagnosis of `view` (computed by the App off the key path: it takes a while on big captures). */
  | { type: 'diagnosed'; view: readonly number[]; width: number; lines: DiagLine[] };

/** Per-session values computed once, on arrival. */
export interface Meta {
  status: string;
  failed: boolean;
  /** 0 failed, 1 not established, 2 established with a medium/high finding, 3 fine. */
  rank: number;
  ipKey: string;
  clientKey: string;
}

export interface State {
  sessions: Session[];
  meta: Meta[];
  /** Every session's index, in time order. */
  timeOrder: number[];
  /** Indexes into `sessions` that pass the filter, in display order. */
  view: number[];
  cursor: number;
  top: number;
  selectedId: string | null;
  screen: Screen;
  focus: Focus;
  detailOpen: boolean;
  /** Tree nodes whose open state the user flipped (ids), kept across sessions. */
  toggled: ReadonlySet<string>;
  treeCursor: number;
  treeTop: number;
  /** Hex screen: which raw message, which bytes highlighted, scroll. */
  hex: HexRef | null;
  hexScroll: number;
  sort: SortKey;
  reverse: boolean;
  sortMenu: boolean;
  filterText: string;
  filter: FilterExpr | null;
  failuresOnly: boolean;
  /** Text being typed after '/' (or the export path), null when not editing. */
  editing: string | null;
  editKind: 'filter' | 'export';
  /** Parse error of `editing` (live), or of the last applied filter. */
  filterError: FilterError | null;
  /** One-line note in the footer (export done, nothing failed...). */
  message: { text: string; error: boolean } | null;
  help: boolean;
  /** First line of the help overlay on screen (it scrolls when taller than the terminal). */
  helpScroll: number;
  loading: boolean;
  progress: Progress | null;
  loadError: string | null;
  packets: number | null;
  warnings: string[];
  failed: number;
  groupBy: GroupKey;
  /** Computed on the group screen (null: to recompute). */
  groups: GroupRow[] | null;
  groupCursor: number;
  groupTop: number;
  /** The diagnosis screen's lines; null while they are being computed (see needsDiagnosis). */
  diag: DiagLine[] | null;
  /** The view and width `diag` was made for. */
  diagFor: { view: readonly number[]; width: number } | null;
  diagCursor: number;
  diagTop: number;
  width: number;
  height: number;
}

export const DEFAULT_EXPORT_PATH = 'tlsscope-export.json';

export function initialState(opts: { width?: number; height?: number; sessions?: readonly Session[]; loading?: boolean } = {}): State {
  const s: State = {
    sessions: [],
    meta: [],
    timeOrder: [],
    view: [],
    cursor: 0,
    top: 0,
    selectedId: null,
    screen: 'sessions',
    focus: 'list',
    detailOpen: false,
    toggled: new Set(),
    treeCursor: 0,
    treeTop: 0,
    hex: null,
    hexScroll: 0,
    sort: 'time',
    reverse: false,
    sortMenu: false,
    filterText: '',
    filter: null,
    failuresOnly: false,
    editing: null,
    editKind: 'filter',
    filterError: null,
    message: null,
    help: false,
    helpScroll: 0,
    loading: opts.loading ?? true,
    progress: null,
    loadError: null,
    packets: null,
    warnings: [],
    failed: 0,
    groupBy: 'sni',
    groups: null,
    groupCursor: 0,
    groupTop: 0,
    diag: null,
    diagFor: null,
    diagCursor: 0,
    diagTop: 0,
    width: Math.max(20, opts.width ?? 80),
    height: Math.max(8, opts.height ?? 24),
  };
  return opts.sessions && opts.sessions.length > 0 ? reducer(s, { type: 'sessionsArrived', sessions: opts.sessions }) : s;
}

// ------------------------------------------------------------------ layout

/** Screen rows: header (2) + column titles (1) + list + [detail title (1) + detail] + footer (1). */
export interface Layout {
  listRows: number;
  detailRows: number;
  /** Rows of the group, diagnosis and hex screens (below their title row). */
  paneRows: number;
}

export function layout(s: Pick<State, 'height' | 'detailOpen' | 'focus'>): Layout {
  const body = Math.max(2, s.height - 4);
  if (!s.detailOpen) return { listRows: body, detailRows: 0, paneRows: body };
  // the tree gets more room while it has the focus
  const share = s.focus === 'detail' ? 4 : 3;
  const listRows = Math.max(3, Math.min(Math.floor(body / share), 12));
  return { listRows, detailRows: Math.max(1, body - listRows - 1), paneRows: body };
}

// ------------------------------------------------------------------ helpers

const SEV_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3 };

function metaOf(x: Session): Meta {
  const status = sessionStatus(x);
  const failed = status.startsWith('FAILED');
  let rank = 3;
  if (failed) rank = 0;
  else if (!x.established) rank = 1;
  else if (x.findings.some((f) => SEV_RANK[f.severity] >= 2)) rank = 2;
  return { status, failed, rank, ipKey: ipKey(x.server.ip, x.server.port), clientKey: ipKey(x.client.ip, x.client.port) };
}

export function isFailed(s: Session): boolean {
  return sessionStatus(s).startsWith('FAILED');
}

/** Sortable text for an address and port: IPv4 before IPv6, numerically. */
function ipKey(ip: string, port: number): string {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  const p = String(port).padStart(5, '0');
  if (v4) return '4' + v4.slice(1).map((o) => o.padStart(3, '0')).join('.') + ':' + p;
  return '6' + ip + ':' + p;
}

function passes(s: State, i: number): boolean {
  if (s.failuresOnly && !(s.meta[i] as Meta).failed) return false;
  return evaluate(s.filter, s.sessions[i] as Session);
}

/** Earlier sessions first: start time, then flow and handshake order. */
function timeCmp(ss: readonly Session[]): (i: number, j: number) => number {
  return (i, j) => {
    const a = ss[i] as Session;
    const b = ss[j] as Session;
    return a.start_ts - b.start_ts || a.flow_id - b.flow_id || a.handshake_index - b.handshake_index || i - j;
  };
}

/** Merge two index lists each in time order (new sessions mostly come last: then it is a concatenation). */
function mergeByTime(ss: readonly Session[], a: readonly number[], b: readonly number[]): number[] {
  const cmp = timeCmp(ss);
  if (a.length === 0 || b.length === 0 || cmp(a[a.length - 1] as number, b[0] as number) <= 0) return a.concat(b);
  const out: number[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = cmp(a[i] as number, b[j] as number) <= 0 ? (a[i++] as number) : (b[j++] as number);
  while (i < a.length) out[k++] = a[i++] as number;
  while (j < b.length) out[k++] = b[j++] as number;
  return out;
}

const TEXT_KEYS: ReadonlySet<SortKey> = new Set(['client', 'server', 'sni', 'cipher', 'alpn', 'status']);

function textKey(key: SortKey, x: Session, m: Meta): string | null {
  switch (key) {
    case 'client': return m.clientKey;
    case 'server': return m.ipKey;
    case 'sni': return x.server_name;
    case 'cipher': return x.cipher_suite_name;
    case 'alpn': return x.alpn;
    case 'status': return m.status;
    default: return null;
  }
}

/** Smaller first: the newest version, the slowest handshake. */
function numericKey(key: SortKey, x: Session): number {
  switch (key) {
    case 'version': return -(x.version ?? -1);
    case 'ms': return -(x.timing.handshake_ms ?? -1);
    default: return 0;
  }
}

/**
 * Sorts `inTime` (indexes in time order) by the state's column. Both ways
 * keep time order between equal values: text columns are ranked among their
 * distinct values (few: server names, ciphers, statuses) and bucketed, in
 * linear time; numeric columns use the stable Array sort on a flat key array.
 * 100,000 sessions take a few tens of milliseconds.
 */
function orderView(s: State, inTime: number[]): number[] {
  let out = inTime;
  if (s.sort !== 'time' && out.length > 1) {
    if (TEXT_KEYS.has(s.sort)) {
      const keys: (string | null)[] = new Array(out.length);
      const rank = new Map<string | null, number>();
      for (let k = 0; k < out.length; k++) {
        const i = out[k] as number;
        const v = textKey(s.sort, s.sessions[i] as Session, s.meta[i] as Meta);
        keys[k] = v;
        rank.set(v, 0);
      }
      // missing values (null) last
      const distinct = [...rank.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
      distinct.forEach((v, k) => rank.set(v, k));
      // the status column sorts by its rank (failures first), then by its word
      const stride = s.sort === 'status' ? distinct.length : 0;
      const bucketOf = new Int32Array(out.length);
      let buckets = distinct.length;
      for (let k = 0; k < out.length; k++) {
        const b = stride * (s.meta[out[k] as number] as Meta).rank + (rank.get(keys[k] as string | null) as number);
        bucketOf[k] = b;
        if (b >= buckets) buckets = b + 1;
      }
      // counting sort: stable
      const start = new Int32Array(buckets + 1);
      for (let k = 0; k < out.length; k++) {
        const b = (bucketOf[k] as number) + 1;
        start[b] = (start[b] as number) + 1;
      }
      for (let b = 0; b < buckets; b++) start[b + 1] = (start[b + 1] as number) + (start[b] as number);
      const sorted: number[] = new Array(out.length);
      for (let k = 0; k < out.length; k++) {
        const b = bucketOf[k] as number;
        const at = start[b] as number;
        start[b] = at + 1;
        sorted[at] = out[k] as number;
      }
      out = sorted;
    } else {
      const key = new Float64Array(s.sessions.length);
      for (const i of out) key[i] = numericKey(s.sort, s.sessions[i] as Session);
      out = out.slice().sort((i, j) => (key[i] as number) - (key[j] as number));
    }
  } else if (out === inTime) out = out.slice();
  return s.reverse ? out.reverse() : out;
}

function computeView(s: State): number[] {
  const out: number[] = [];
  for (const i of s.timeOrder) if (passes(s, i)) out.push(i);
  return orderView(s, out);
}

/** Recompute the view, keep the selected session under the cursor (or clamp), keep the cursor on screen. */
function refresh(s: State, view = computeView(s)): State {
  let cursor = s.cursor;
  if (s.selectedId !== null) {
    const at = view.findIndex((i) => (s.sessions[i] as Session).id === s.selectedId);
    if (at >= 0) cursor = at;
  }
  return derived(settle({ ...s, view, cursor }));
}

/** The group and diagnosis screens follow the view: recomputed when shown. */
function derived(s: State): State {
  let groups = s.groups;
  let diag = s.diag;
  if (s.screen === 'groups') groups = groupSessions(s.sessions, s.view, s.groupBy);
  else groups = null;
  // the diagnosis is made by the App (needsDiagnosis), kept while the view and width stay the same
  if (s.screen !== 'diagnosis' || s.diagFor === null || s.diagFor.view !== s.view || s.diagFor.width !== s.width) diag = null;
  const g = clampWindow(s.groupCursor, s.groupTop, groups?.length ?? 0, layout(s).paneRows);
  const d = clampWindow(s.diagCursor, s.diagTop, diag?.length ?? 0, layout(s).paneRows);
  return { ...s, groups, diag, groupCursor: g.cursor, groupTop: g.top, diagCursor: d.cursor, diagTop: d.top };
}

function clampWindow(cursor: number, top: number, n: number, rows: number): { cursor: number; top: number } {
  const c = n === 0 ? 0 : Math.min(Math.max(0, cursor), n - 1);
  let t = top;
  if (c < t) t = c;
  if (c >= t + rows) t = c - rows + 1;
  t = Math.max(0, Math.min(t, Math.max(0, n - rows)));
  return { cursor: c, top: t };
}

/** Clamp cursor and scroll offset; record the selected id (a new selection starts its tree at the top). */
function settle(s: State): State {
  const n = s.view.length;
  const { cursor, top } = clampWindow(s.cursor, s.top, n, layout(s).listRows);
  const sel = n === 0 ? null : (s.sessions[s.view[cursor] as number] as Session).id;
  const selectedId = sel ?? s.selectedId;
  if (selectedId === s.selectedId) return { ...s, cursor, top, selectedId };
  return { ...s, cursor, top, selectedId, treeCursor: 0, treeTop: 0 };
}

export function selectedSession(s: State): Session | null {
  const i = s.view[s.cursor];
  return i === undefined ? null : (s.sessions[i] ?? null);
}

/** The sessions on screen, with their position in the view. */
export function visibleRows(s: State): { index: number; session: Session; meta: Meta }[] {
  const { listRows } = layout(s);
  const out: { index: number; session: Session; meta: Meta }[] = [];
  for (let k = s.top; k < Math.min(s.view.length, s.top + listRows); k++) {
    const i = s.view[k] as number;
    out.push({ index: k, session: s.sessions[i] as Session, meta: s.meta[i] as Meta });
  }
  return out;
}

/** The rows of the selected session's detail tree, as opened/closed by the user. */
export function detailRows(s: State): TreeRow[] {
  const sel = selectedSession(s);
  return sel ? treeRows(sessionTree(sel, s.width), s.toggled) : [];
}

function tryParse(text: string): { filter: FilterExpr | null; error: FilterError | null } {
  try {
    return { filter: parseFilter(text), error: null };
  } catch (e) {
    if (e instanceof FilterError) return { filter: null, error: e };
    throw e;
  }
}

/** The diagnosis screen waits for its lines: the App computes them with `diagnose` and sends 'diagnosed'. */
export function needsDiagnosis(s: State): boolean {
  return s.screen === 'diagnosis' && s.diag === null;
}

/** The lines of the diagnosis screen for the sessions in `view`. */
export function diagnoseView(s: State): DiagLine[] {
  return diagnosisLines(s.view.map((i) => s.sessions[i] as Session), s.width);
}

/** Current filter AND `extra` (a group's or a diagnosis line's filter). */
export function narrowFilter(current: string, extra: string): string {
  const c = current.trim();
  if (c === '') return extra;
  return `(${c}) ${extra}`;
}

// ------------------------------------------------------------------ focused movement

function moveTree(s: State, to: (cur: number, n: number, rows: number) => number): State {
  const rows = detailRows(s);
  const r = layout(s).detailRows;
  const w = clampWindow(to(s.treeCursor, rows.length, r), s.treeTop, rows.length, r);
  return { ...s, treeCursor: w.cursor, treeTop: w.top };
}

function moveFocused(s: State, to: (cur: number, n: number, rows: number) => number): State {
  const { listRows, paneRows } = layout(s);
  switch (s.screen) {
    case 'sessions':
      if (s.focus === 'detail' && s.detailOpen) return moveTree(s, to);
      return settle({ ...s, cursor: to(s.cursor, s.view.length, listRows) });
    case 'groups': {
      const w = clampWindow(to(s.groupCursor, s.groups?.length ?? 0, paneRows), s.groupTop, s.groups?.length ?? 0, paneRows);
      return { ...s, groupCursor: w.cursor, groupTop: w.top };
    }
    case 'diagnosis': {
      const w = clampWindow(to(s.diagCursor, s.diag?.length ?? 0, paneRows), s.diagTop, s.diag?.length ?? 0, paneRows);
      return { ...s, diagCursor: w.cursor, diagTop: w.top };
    }
    case 'hex': {
      // the hex view scrolls by rows of the dump
      const n = hexDumpRows(s);
      return { ...s, hexScroll: Math.max(0, Math.min(to(s.hexScroll, n, paneRows), n - paneRows)) };
    }
  }
}

function toggleNode(s: State, want: 'toggle' | 'open' | 'close'): State {
  const rows = detailRows(s);
  const r = rows[s.treeCursor];
  if (!r) return s;
  if (want === 'close' && (!r.hasChildren || !r.open)) {
    // Left on a leaf or a closed node: go to its parent
    for (let k = s.treeCursor - 1; k >= 0; k--) {
      if ((rows[k] as TreeRow).depth < r.depth) return moveTree(s, () => k);
    }
    return s;
  }
  if (!r.hasChildren || (want === 'open' && r.open)) return s;
  const toggled = new Set(s.toggled);
  if (toggled.has(r.node.id)) toggled.delete(r.node.id);
  else toggled.add(r.node.id);
  return { ...s, toggled };
}

/** The bytes the hex screen shows first: the tree node's, else the selected session's first message. */
function hexFor(s: State): HexRef | null {
  const sel = selectedSession(s);
  if (!sel) return null;
  if (s.focus === 'detail' && s.detailOpen) {
    const node = detailRows(s)[s.treeCursor]?.node;
    if (node?.hex) return node.hex;
  }
  const raw = rawMessages(sel);
  if (!raw || raw.length === 0) return null;
  return { message: 0, start: 0, end: 0 };
}

/** Rows of the hex dump on screen (16 bytes a row from 78 columns, else 8: as hexDump draws it). */
export function hexDumpRows(s: State): number {
  const sel = selectedSession(s);
  const m = s.hex && sel ? rawMessages(sel)?.[s.hex.message] : undefined;
  if (!m) return 0;
  return Math.ceil(m.bytes.length / (s.width >= 78 ? 16 : 8));
}

function stepHex(s: State, delta: number): State {
  const sel = selectedSession(s);
  const raw = sel ? rawMessages(sel) : undefined;
  if (!raw || raw.length === 0 || !s.hex) return s;
  const message = Math.min(raw.length - 1, Math.max(0, s.hex.message + delta));
  return message === s.hex.message ? s : { ...s, hex: { message, start: 0, end: 0 }, hexScroll: 0 };
}

function nextFailed(s: State, delta: 1 | -1): State {
  const n = s.view.length;
  for (let k = 1; k <= n; k++) {
    const at = (((s.cursor + delta * k) % n) + n) % n;
    if ((s.meta[s.view[at] as number] as Meta).failed) {
      const wrapped = delta > 0 ? at <= s.cursor : at >= s.cursor;
      return settle({ ...s, cursor: at, message: wrapped ? { text: 'search wrapped around', error: false } : null });
    }
  }
  return { ...s, message: { text: 'no failed session in this view', error: false } };
}

// ------------------------------------------------------------------ reducer

export function reducer(s: State, a: Action): State {
  // a note stays until the next key
  if (s.message !== null && a.type !== 'message' && a.type !== 'sessionsArrived' && a.type !== 'progress' && a.type !== 'loadDone') s = { ...s, message: null };
  switch (a.type) {
    case 'move':
      return moveFocused(s, (c) => c + a.delta);
    case 'page':
      return moveFocused(s, (c, _n, rows) => c + a.delta * Math.max(1, rows - 1));
    case 'home':
      return moveFocused(s, () => 0);
    case 'end':
      return moveFocused(s, (_c, n) => n - 1);
    case 'open':
      switch (s.screen) {
        case 'sessions':
          if (s.focus === 'detail') return { ...s, focus: 'list' };
          return s.view.length === 0 ? s : settle({ ...s, detailOpen: true, focus: 'detail' });
        case 'groups': {
          const g = s.groups?.[s.groupCursor];
          if (!g) return s;
          return reducer({ ...s, screen: 'sessions', focus: 'list' }, { type: 'filter', text: narrowFilter(s.filterText, g.filter) });
        }
        case 'diagnosis': {
          const d = s.diag?.[s.diagCursor];
          if (!d || d.filter === null) return s;
          return reducer({ ...s, screen: 'sessions', focus: 'list' }, { type: 'filter', text: narrowFilter(s.filterText, d.filter) });
        }
        case 'hex':
          return { ...s, screen: 'sessions' };
      }
      return s;
    case 'focus':
      if (s.screen !== 'sessions' || s.view.length === 0) return s;
      return settle({ ...s, detailOpen: true, focus: s.focus === 'list' ? 'detail' : 'list' });
    case 'toggleNode':
      if (s.screen === 'sessions' && s.focus === 'detail' && s.detailOpen) return toggleNode(s, 'toggle');
      if (s.screen === 'sessions' && s.focus === 'list') return settle({ ...s, detailOpen: !s.detailOpen });
      return s;
    case 'expand':
      if (s.screen === 'hex') return stepHex(s, 1);
      if (s.screen !== 'sessions') return s;
      if (s.focus === 'detail' && s.detailOpen) return toggleNode(s, 'open');
      return s.view.length === 0 ? s : settle({ ...s, detailOpen: true });
    case 'collapse':
      if (s.screen === 'hex') return stepHex(s, -1);
      if (s.screen !== 'sessions') return s;
      if (s.focus === 'detail' && s.detailOpen) return toggleNode(s, 'close');
      return settle({ ...s, detailOpen: false });
    case 'back':
      if (s.sortMenu) return { ...s, sortMenu: false };
      if (s.help) return { ...s, help: false };
      if (s.screen !== 'sessions') return derived({ ...s, screen: 'sessions' });
      if (s.focus === 'detail') return settle({ ...s, focus: 'list' });
      return settle({ ...s, detailOpen: false });
    case 'screen': {
      if (a.screen === 'hex') {
        const hex = hexFor(s);
        if (hex === null) return { ...s, message: { text: 'no raw bytes for this session (none kept, or no plaintext handshake message)', error: true } };
        // the highlighted bytes a few rows below the top
        const hexScroll = Math.max(0, Math.floor(hex.start / (s.width >= 78 ? 16 : 8)) - 2);
        return { ...s, screen: 'hex', hex, hexScroll, help: false };
      }
      return derived({ ...s, screen: a.screen, help: false });
    }
    case 'nextFailed':
      if (s.screen !== 'sessions') return s;
      return nextFailed({ ...s, focus: 'list' }, a.delta);
    case 'filter': {
      const { filter, error } = tryParse(a.text);
      if (error) return { ...s, editing: a.text, editKind: 'filter', filterError: error };
      return refresh({ ...s, filterText: a.text.trim(), filter, filterError: null, editing: null });
    }
    case 'sortMenu':
      if (s.screen === 'groups') {
        // on the group screen `s` chooses what the sessions are grouped by
        const groupBy = GROUP_KEYS[(GROUP_KEYS.indexOf(s.groupBy) + 1) % GROUP_KEYS.length] as GroupKey;
        return derived({ ...s, groupBy, groupCursor: 0, groupTop: 0 });
      }
      return s.screen === 'sessions' ? { ...s, sortMenu: true } : s;
    case 'sort':
      // choosing the current column again reverses it
      return refresh({ ...s, sortMenu: false, sort: a.key, reverse: a.key === s.sort ? !s.reverse : false });
    case 'sortReverse':
      return refresh({ ...s, sortMenu: false, reverse: !s.reverse });
    case 'select': {
      const at = s.view.findIndex((i) => (s.sessions[i] as Session).id === a.id);
      return at < 0 ? s : settle({ ...s, cursor: at });
    }
    case 'toggleHelp':
      return { ...s, help: !s.help, helpScroll: 0, sortMenu: false };
    case 'scrollHelp':
      // App clamps to the overlay's length
      return s.help ? { ...s, helpScroll: Math.max(0, s.helpScroll + a.delta) } : s;
    case 'toggleFailures':
      return refresh({ ...s, failuresOnly: !s.failuresOnly });
    case 'editStart':
      return { ...s, editing: s.filterText, editKind: 'filter', filterError: null, help: false, sortMenu: false };
    case 'exportStart':
      return { ...s, editing: DEFAULT_EXPORT_PATH, editKind: 'export', filterError: null, help: false, sortMenu: false };
    case 'editInput': {
      if (s.editing === null) return s;
      const text = s.editing + a.text.replace(/[\r\n\t]/g, ' ');
      return { ...s, editing: text, filterError: s.editKind === 'filter' ? tryParse(text).error : null };
    }
    case 'editBackspace': {
      if (s.editing === null) return s;
      const text = Array.from(s.editing).slice(0, -1).join('');
      return { ...s, editing: text, filterError: s.editKind === 'filter' ? tryParse(text).error : null };
    }
    case 'editClear':
      return s.editing === null ? s : { ...s, editing: '', filterError: null };
    case 'editCancel':
      return { ...s, editing: null, filterError: null };
    case 'editApply':
      if (s.editing === null) return s;
      // the export prompt is carried out by the App (it writes a file); here it only closes
      if (s.editKind === 'export') return { ...s, editing: null };
      return reducer(s, { type: 'filter', text: s.editing });
    case 'message':
      return { ...s, message: { text: a.text, error: a.error === true } };
    case 'sessionsArrived': {
      if (a.sessions.length === 0) return s;
      let failed = s.failed;
      const sessions = s.sessions.concat(a.sessions);
      const meta = s.meta.slice();
      const base = s.sessions.length;
      for (let k = 0; k < a.sessions.length; k++) {
        const m = metaOf(a.sessions[k] as Session);
        meta.push(m);
        if (m.failed) failed++;
      }
      const fresh: number[] = [];
      for (let k = 0; k < a.sessions.length; k++) fresh.push(base + k);
      fresh.sort(timeCmp(sessions));
      const next = { ...s, sessions, meta, failed, timeOrder: mergeByTime(sessions, s.timeOrder, fresh) };
      if (s.sort === 'time' && !s.reverse) {
        // the usual case while a capture loads: merge the new sessions that pass instead of redoing the view
        const added = fresh.filter((i) => passes(next, i));
        return refresh(next, mergeByTime(sessions, s.view, added));
      }
      return refresh(next);
    }
    case 'progress':
      return { ...s, progress: a.progress };
    case 'loadDone':
      return {
        ...s,
        loading: false,
        loadError: a.info?.error ?? null,
        packets: a.info?.packets ?? s.packets,
        warnings: a.info?.warnings ?? s.warnings,
      };
    case 'diagnosed':
      if (a.view !== s.view || a.width !== s.width) return s;
      return derived({ ...s, diag: a.lines, diagFor: { view: a.view, width: a.width } });
    case 'resize':
      return derived(settle({ ...s, width: Math.max(20, a.width), height: Math.max(8, a.height) }));
  }
}

