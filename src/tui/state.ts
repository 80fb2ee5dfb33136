/**
 * The terminal UI's state: a pure reducer over a discriminated union of
 * actions. Nothing here renders or touches the terminal, so it is tested on
 * its own (test/tui/state.test.ts).
 *
 * `view` holds the indexes (into `sessions`) of the sessions that pass the
 * filter, in sort order; `cursor` is a position in `view`, `top` the first
 * list row on screen. The selection follows the session (by id) when
 * sessions arrive or the order changes.
 */
import type { Session } from '../core/model.js';
import { sessionStatus } from '../cli/render.js';
import { evaluate, FilterError, parseFilter, type FilterExpr } from './filter.js';

export const SORT_KEYS = ['time', 'server', 'sni', 'version', 'status', 'ms'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** How each sort key is described in the header. */
export const SORT_LABELS: Record<SortKey, string> = {
  time: 'time',
  server: 'server',
  sni: 'SNI',
  version: 'version',
  status: 'status (failures first)',
  ms: 'handshake ms (slowest first)',
};

export interface LoadInfo {
  /** One-line error when reading the capture failed part-way. */
  error?: string | null;
  packets?: number;
  warnings?: string[];
}

export type Action =
  | { type: 'move'; delta: number }
  | { type: 'page'; delta: number }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'filter'; text: string }
  | { type: 'sort'; key?: SortKey }
  | { type: 'expand' }
  | { type: 'collapse' }
  | { type: 'toggleDetail' }
  | { type: 'scrollDetail'; delta: number }
  | { type: 'select'; id: string }
  | { type: 'toggleHelp' }
  | { type: 'toggleFailures' }
  | { type: 'editStart' }
  | { type: 'editInput'; text: string }
  | { type: 'editBackspace' }
  | { type: 'editClear' }
  | { type: 'editCancel' }
  | { type: 'editApply' }
  | { type: 'sessionsArrived'; sessions: readonly Session[] }
  | { type: 'loadDone'; info?: LoadInfo }
  | { type: 'resize'; width: number; height: number };

export interface State {
  sessions: Session[];
  /** Indexes into `sessions` that pass the filter, in display order. */
  view: number[];
  cursor: number;
  top: number;
  selectedId: string | null;
  detailOpen: boolean;
  detailScroll: number;
  sort: SortKey;
  filterText: string;
  filter: FilterExpr | null;
  failuresOnly: boolean;
  /** Text being typed after '/', null when not editing. */
  editing: string | null;
  /** Parse error of `editing` (live), or of the last applied filter. */
  filterError: FilterError | null;
  help: boolean;
  loading: boolean;
  loadError: string | null;
  packets: number | null;
  warnings: string[];
  failed: number;
  width: number;
  height: number;
}

export function initialState(opts: { width?: number; height?: number; sessions?: readonly Session[]; loading?: boolean } = {}): State {
  const s: State = {
    sessions: [],
    view: [],
    cursor: 0,
    top: 0,
    selectedId: null,
    detailOpen: false,
    detailScroll: 0,
    sort: 'time',
    filterText: '',
    filter: null,
    failuresOnly: false,
    editing: null,
    filterError: null,
    help: false,
    loading: opts.loading ?? true,
    loadError: null,
    packets: null,
    warnings: [],
    failed: 0,
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
}

export function layout(s: Pick<State, 'height' | 'detailOpen'>): Layout {
  const body = Math.max(2, s.height - 4);
  if (!s.detailOpen) return { listRows: body, detailRows: 0 };
  const listRows = Math.max(3, Math.min(Math.floor(body / 3), 12));
  return { listRows, detailRows: Math.max(1, body - listRows - 1) };
}

// ------------------------------------------------------------------ helpers

export function isFailed(s: Session): boolean {
  return sessionStatus(s).startsWith('FAILED');
}

function statusRank(s: Session): number {
  if (isFailed(s)) return 0;
  if (!s.established) return 1;
  if (s.findings.some((f) => f.severity === 'high' || f.severity === 'medium')) return 2;
  return 3;
}

function ipKey(ip: string): string {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (v4) return '4' + v4.slice(1).map((o) => o.padStart(3, '0')).join('.');
  return '6' + ip;
}

function compareBy(key: SortKey, a: Session, b: Session): number {
  switch (key) {
    case 'time':
      return 0;
    case 'server':
      return ipKey(a.server.ip) < ipKey(b.server.ip) ? -1 : ipKey(a.server.ip) > ipKey(b.server.ip) ? 1 : a.server.port - b.server.port;
    case 'sni': {
      // sessions without SNI last
      if (a.server_name === null || b.server_name === null) return (a.server_name === null ? 1 : 0) - (b.server_name === null ? 1 : 0);
      return a.server_name < b.server_name ? -1 : a.server_name > b.server_name ? 1 : 0;
    }
    case 'version':
      return (b.version ?? -1) - (a.version ?? -1);
    case 'status':
      return statusRank(a) - statusRank(b);
    case 'ms':
      return (b.timing.handshake_ms ?? -1) - (a.timing.handshake_ms ?? -1);
  }
}

function byTime(a: Session, b: Session): number {
  return a.start_ts - b.start_ts || a.flow_id - b.flow_id || a.handshake_index - b.handshake_index;
}

function computeView(s: State): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.sessions.length; i++) {
    const x = s.sessions[i] as Session;
    if (s.failuresOnly && !isFailed(x)) continue;
    if (!evaluate(s.filter, x)) continue;
    out.push(i);
  }
  const ss = s.sessions;
  out.sort((i, j) => compareBy(s.sort, ss[i] as Session, ss[j] as Session) || byTime(ss[i] as Session, ss[j] as Session));
  return out;
}

/** Recompute the view, keep the selected session under the cursor (or clamp), keep the cursor on screen. */
function refresh(s: State): State {
  const view = computeView(s);
  let cursor = s.cursor;
  if (s.selectedId !== null) {
    const at = view.findIndex((i) => (s.sessions[i] as Session).id === s.selectedId);
    if (at >= 0) cursor = at;
  }
  return settle({ ...s, view, cursor });
}

/** Clamp cursor and scroll offset; record the selected id. */
function settle(s: State): State {
  const n = s.view.length;
  const cursor = n === 0 ? 0 : Math.min(Math.max(0, s.cursor), n - 1);
  const { listRows } = layout(s);
  let top = s.top;
  if (cursor < top) top = cursor;
  if (cursor >= top + listRows) top = cursor - listRows + 1;
  top = Math.max(0, Math.min(top, Math.max(0, n - listRows)));
  const sel = n === 0 ? null : (s.sessions[s.view[cursor] as number] as Session).id;
  const selectedId = sel ?? s.selectedId;
  const detailScroll = selectedId !== s.selectedId ? 0 : s.detailScroll;
  return { ...s, cursor, top, selectedId, detailScroll };
}

export function selectedSession(s: State): Session | null {
  const i = s.view[s.cursor];
  return i === undefined ? null : (s.sessions[i] ?? null);
}

/** The sessions on screen, with their position in the view. */
export function visibleRows(s: State): { index: number; session: Session }[] {
  const { listRows } = layout(s);
  const out: { index: number; session: Session }[] = [];
  for (let k = s.top; k < Math.min(s.view.length, s.top + listRows); k++) {
    out.push({ index: k, session: s.sessions[s.view[k] as number] as Session });
  }
  return out;
}

function tryParse(text: string): { filter: FilterExpr | null; error: FilterError | null } {
  try {
    return { filter: parseFilter(text), error: null };
  } catch (e) {
    if (e instanceof FilterError) return { filter: null, error: e };
    throw e;
  }
}

// ------------------------------------------------------------------ reducer

export function reducer(s: State, a: Action): State {
  switch (a.type) {
    case 'move':
      return settle({ ...s, cursor: s.cursor + a.delta });
    case 'page':
      return settle({ ...s, cursor: s.cursor + a.delta * Math.max(1, layout(s).listRows - 1), top: s.top + a.delta * Math.max(1, layout(s).listRows - 1) });
    case 'home':
      return settle({ ...s, cursor: 0 });
    case 'end':
      return settle({ ...s, cursor: s.view.length - 1 });
    case 'filter': {
      const { filter, error } = tryParse(a.text);
      if (error) return { ...s, editing: a.text, filterError: error };
      return refresh({ ...s, filterText: a.text.trim(), filter, filterError: null, editing: null });
    }
    case 'sort': {
      const key = a.key ?? SORT_KEYS[(SORT_KEYS.indexOf(s.sort) + 1) % SORT_KEYS.length] ?? 'time';
      return refresh({ ...s, sort: key });
    }
    case 'expand':
      return settle({ ...s, detailOpen: true });
    case 'collapse':
      return settle({ ...s, detailOpen: false });
    case 'toggleDetail':
      return settle({ ...s, detailOpen: !s.detailOpen });
    case 'scrollDetail':
      return s.detailOpen ? { ...s, detailScroll: Math.max(0, s.detailScroll + a.delta) } : s;
    case 'select': {
      const at = s.view.findIndex((i) => (s.sessions[i] as Session).id === a.id);
      return at < 0 ? s : settle({ ...s, cursor: at });
    }
    case 'toggleHelp':
      return { ...s, help: !s.help };
    case 'toggleFailures':
      return refresh({ ...s, failuresOnly: !s.failuresOnly });
    case 'editStart':
      return { ...s, editing: s.filterText, filterError: null, help: false };
    case 'editInput': {
      if (s.editing === null) return s;
      const text = s.editing + a.text.replace(/[\r\n\t]/g, ' ');
      return { ...s, editing: text, filterError: tryParse(text).error };
    }
    case 'editBackspace': {
      if (s.editing === null) return s;
      const text = Array.from(s.editing).slice(0, -1).join('');
      return { ...s, editing: text, filterError: tryParse(text).error };
    }
    case 'editClear':
      return s.editing === null ? s : { ...s, editing: '', filterError: null };
    case 'editCancel':
      return { ...s, editing: null, filterError: null };
    case 'editApply':
      return s.editing === null ? s : reducer(s, { type: 'filter', text: s.editing });
    case 'sessionsArrived': {
      if (a.sessions.length === 0) return s;
      let failed = s.failed;
      for (const x of a.sessions) if (isFailed(x)) failed++;
      return refresh({ ...s, sessions: s.sessions.concat(a.sessions), failed });
    }
    case 'loadDone':
      return {
        ...s,
        loading: false,
        loadError: a.info?.error ?? null,
        packets: a.info?.packets ?? s.packets,
        warnings: a.info?.warnings ?? s.warnings,
      };
    case 'resize':
      return settle({ ...s, width: Math.max(20, a.width), height: Math.max(8, a.height) });
  }
}
