/**
 * The Ink components of the terminal UI. All state lives in the reducer
 * (state.ts); keys go through the one table (keys.ts); text comes from
 * format.ts, tree.ts, hex.ts, groups.ts and diagnosis.ts, where wire strings
 * are made safe. Only the rows on screen are built, so 100,000 sessions cost
 * no more per key press than 100.
 */
import { basename } from 'node:path';
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { Session } from '../core/model.js';
import { rawMessages } from '../core/raw.js';
import { handshakeTypeName } from '../registry/index.js';
import { safeText } from '../session/safe-text.js';
import { BINDINGS, footerHints, type Command, type Mode } from './keys.js';
import { commandsFor, modeOf } from './input.js';
import { FILTER_FIELDS } from './filter.js';
import { cell, columns, findingsColor, statusColor, wrap, type Line } from './format.js';
import { treeRowLine } from './tree.js';
import { hexDump } from './hex.js';
import { GROUP_LABELS, groupHeader, groupLine } from './groups.js';
import { exportSessions } from './export.js';
import {
  detailRows, diagnoseView, initialState, needsDiagnosis, layout, reducer, selectedSession, SORT_COLUMNS, SORT_KEYS, visibleRows,
  type Action, type LoadInfo, type Progress, type Screen, type State,
} from './state.js';

/** What a loader reports to the UI. */
export interface LoadSink {
  sessions(batch: readonly Session[]): void;
  progress?(p: Progress): void;
  done(info?: LoadInfo): void;
}

export interface AppProps {
  /** Capture name shown in the header. */
  name: string;
  /** Starts reading; called once after mount. Without it the UI shows `sessions` as a finished load. */
  load?: (sink: LoadSink) => void;
  sessions?: readonly Session[];
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  width?: number;
  height?: number;
  /** How often arriving sessions are handed to the reducer (ms). */
  batchMs?: number;
  /** Draw colours (default: unless the NO_COLOR environment variable is set, https://no-color.org). */
  color?: boolean;
  /** Called after each frame is committed (the benchmark's key-to-screen timer). */
  onFrame?: () => void;
}

/** How long after the "diagnosing…" frame the diagnosis starts: longer than Ink's frame interval. */
const DIAGNOSE_DELAY_MS = 50;

/** Colours on or off for every line drawn. */
const ColorContext = createContext(true);

function terminalSize(stdout: NodeJS.WriteStream): { width: number; height: number } {
  // one row less than the terminal: a frame as tall as the screen makes Ink clear the screen on each update
  return { width: stdout.columns || 80, height: Math.max(8, (stdout.rows || 25) - 1) };
}

function LineView({ line, width, inverse }: { line: Line; width: number; inverse?: boolean }) {
  const color = useContext(ColorContext);
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate-end" inverse={inverse}>
        {line.map((seg, i) => (
          <Text key={i} color={color ? seg.color : undefined} bold={seg.bold} dimColor={color ? seg.dim : undefined} inverse={seg.inverse} underline={seg.underline}>
            {seg.text}
          </Text>
        ))}
      </Text>
    </Box>
  );
}

const SCREEN_TITLES: Record<Screen, string> = { sessions: '1 sessions', groups: '2 groups', diagnosis: '3 diagnosis', hex: '4 hex' };

function progressBar(p: Progress, width: number): string {
  if (p.total === null || p.total <= 0) return `${(p.bytes / 1e6).toFixed(1)} MB`;
  const frac = Math.min(1, p.bytes / p.total);
  const cells = Math.max(5, Math.min(20, width));
  const full = Math.round(frac * cells);
  return `${'█'.repeat(full)}${'░'.repeat(cells - full)} ${Math.floor(frac * 100)}% ${(p.bytes / 1e6).toFixed(0)}/${(p.total / 1e6).toFixed(0)} MB`;
}

function Header({ s, name }: { s: State; name: string }) {
  const shown = s.view.length;
  const total = s.sessions.length;
  const counts = shown === total ? `${total} session${total === 1 ? '' : 's'}` : `${shown} of ${total} sessions`;
  const line1: Line = [
    { text: ' tlsscope ', bold: true, color: 'cyan' },
    { text: safeText(basename(name)), bold: true },
    { text: `  ${counts}` },
    { text: `  ${s.failed} failed`, color: s.failed > 0 ? 'red' : 'green' },
  ];
  if (s.loading) {
    line1.push({ text: '  loading…', color: 'yellow' });
    if (s.progress) line1.push({ text: `  ${progressBar(s.progress, s.width - 60)}  ${s.progress.mbps.toFixed(1)} MB/s`, color: 'yellow' });
  } else if (s.packets !== null) line1.push({ text: `  ${s.packets} packets`, dim: true });
  if (s.loadError) line1.push({ text: `  read error: ${safeText(s.loadError)}`, color: 'red', bold: true });
  else if (s.warnings.length > 0) line1.push({ text: `  ${s.warnings.length} warning${s.warnings.length === 1 ? '' : 's'}: ${safeText(s.warnings[0] ?? '')}`, color: 'yellow' });

  let line2: Line;
  if (s.editing !== null && s.editKind === 'export') {
    line2 = [
      { text: ` export ${shown} session${shown === 1 ? '' : 's'} to: `, color: 'cyan', bold: true },
      { text: safeText(s.editing) + '▏' },
      { text: '  enter writes, esc cancels', dim: true },
    ];
  } else if (s.editing !== null) {
    const cps = Array.from(s.editing);
    const err = s.filterError;
    const pos = err ? Math.min(err.pos, cps.length) : -1;
    line2 = [{ text: ' filter: /', color: 'cyan', bold: true }];
    if (err) {
      line2.push({ text: safeText(cps.slice(0, pos).join('')) });
      line2.push({ text: pos < cps.length ? safeText(cps[pos] as string) : ' ', color: 'red', bold: true, inverse: true });
      line2.push({ text: safeText(cps.slice(pos + 1).join('')) + '▏' });
      line2.push({ text: `  col ${err.pos + 1}: ${safeText(err.message)}`, color: 'red' });
    } else {
      line2.push({ text: safeText(s.editing) + '▏' });
    }
  } else if (s.sortMenu) {
    line2 = [{ text: ' sort by: ', color: 'cyan', bold: true }];
    for (const k of SORT_KEYS) {
      const c = SORT_COLUMNS[k];
      line2.push({ text: c.letter, bold: true, color: 'cyan' });
      line2.push({ text: ` ${c.label.split(' ')[0]}${k === s.sort ? (s.reverse ? ' ▲' : ' ▼') : ''}  ` });
    }
    line2.push({ text: 'r', bold: true, color: 'cyan' }, { text: ' reverse' });
  } else {
    line2 = [];
    for (const sc of ['sessions', 'groups', 'diagnosis', 'hex'] as const) {
      line2.push({ text: ` ${SCREEN_TITLES[sc]} `, ...(sc === s.screen ? { inverse: true, bold: true } : { dim: true }) });
    }
    line2.push(
      { text: '  sort: ', dim: true },
      { text: `${SORT_COLUMNS[s.sort].label}${s.reverse ? ' (reversed)' : ''}` },
      { text: '  filter: ', dim: true },
      { text: s.filterText === '' ? '(none)' : safeText(s.filterText), ...(s.filterText === '' ? { dim: true } : { color: 'cyan' as const }) },
    );
    if (s.failuresOnly) line2.push({ text: '  failures only', color: 'red', bold: true });
  }
  return (
    <Box flexDirection="column">
      <LineView line={line1} width={s.width} />
      <LineView line={line2} width={s.width} />
    </Box>
  );
}

function SessionList({ s }: { s: State }) {
  const cols = columns(s.width);
  const rows = visibleRows(s);
  const { listRows } = layout(s);
  const active = s.focus === 'list' || !s.detailOpen;
  const title: Line = cols.map((c) => ({ text: (c.key === s.sort ? `${c.title}${s.reverse ? '▲' : '▼'}` : c.title).padEnd(c.width + 1), bold: true, dim: true }));
  return (
    <Box flexDirection="column" height={listRows + 1}>
      <LineView line={title} width={s.width} />
      {rows.length === 0 ? (
        <Text dimColor>{s.loading ? '  reading the capture…' : s.sessions.length === 0 ? '  no TLS sessions in this capture' : '  no session matches the filter'}</Text>
      ) : (
        rows.map(({ index, session, meta }) => {
          const sel = index === s.cursor;
          const line: Line = cols.map((c) => {
            const text = c.key === 'status' ? safeText(meta.status) : cell(session, c.key);
            const cut = Array.from(text);
            const fitted = cut.length > c.width ? cut.slice(0, c.width - 1).join('') + '…' : text.padEnd(c.width);
            const color = c.key === 'status' ? statusColor(meta.status) : c.key === 'findings' ? findingsColor(text) : undefined;
            return { text: fitted + ' ', ...(color ? { color } : {}) };
          });
          // the selected row: inverse while the list has the focus, underlined while the tree has it
          return <LineView key={session.id} line={sel && !active ? line.map((x) => ({ ...x, underline: true })) : line} width={s.width} inverse={sel && active} />;
        })
      )}
    </Box>
  );
}

function Detail({ s }: { s: State }) {
  const sel = selectedSession(s);
  const { detailRows: rowsOnScreen } = layout(s);
  const rows = detailRows(s);
  const shown = rows.slice(s.treeTop, s.treeTop + rowsOnScreen);
  const where = rows.length > rowsOnScreen ? ` ${s.treeTop + 1}-${s.treeTop + shown.length}/${rows.length}` : '';
  const focus = s.focus === 'detail' ? ' (tree: ↑↓ move · space/→ open · ← close · x hex · tab list)' : ' (tab or enter: into the tree)';
  const bar = `── session ${sel ? safeText(sel.id) : '-'}${where}${focus} `;
  return (
    <Box flexDirection="column" height={rowsOnScreen + 1}>
      <LineView line={[{ text: bar + '─'.repeat(Math.max(0, s.width - Array.from(bar).length)), color: 'cyan' }]} width={s.width} />
      {sel ? (
        shown.map((r, i) => <LineView key={r.node.id} line={treeRowLine(r)} width={s.width} inverse={s.focus === 'detail' && s.treeTop + i === s.treeCursor} />)
      ) : (
        <Text dimColor>  no session selected</Text>
      )}
    </Box>
  );
}

function Groups({ s }: { s: State }) {
  const { paneRows } = layout(s);
  const rows = s.groups ?? [];
  const shown = rows.slice(s.groupTop, s.groupTop + paneRows);
  const title: Line = [{ text: ` grouped by ${GROUP_LABELS[s.groupBy]} (s: change) · ${rows.length} group${rows.length === 1 ? '' : 's'} · enter filters the list to one`, color: 'cyan' }];
  return (
    <Box flexDirection="column" height={paneRows + 1}>
      <LineView line={title} width={s.width} />
      <LineView line={groupHeader(s.groupBy, s.width)} width={s.width} />
      {shown.length === 0 ? <Text dimColor>  no sessions</Text> : shown.slice(0, Math.max(0, paneRows - 1)).map((r, i) => (
        <LineView key={`${s.groupTop + i}`} line={groupLine(r, s.width)} width={s.width} inverse={s.groupTop + i === s.groupCursor} />
      ))}
    </Box>
  );
}

function Diagnosis({ s }: { s: State }) {
  const { paneRows } = layout(s);
  const lines = s.diag ?? [];
  const shown = lines.slice(s.diagTop, s.diagTop + paneRows);
  const title = ` diagnosis of the ${s.view.length} session${s.view.length === 1 ? '' : 's'} shown · enter on a line lists its sessions`;
  return (
    <Box flexDirection="column" height={paneRows + 1}>
      <LineView line={[{ text: title, color: 'cyan' }]} width={s.width} />
      {s.diag === null ? <Text dimColor>  diagnosing {s.view.length} sessions…</Text> : null}
      {shown.map((d, i) => (
        <LineView key={i} line={d.line} width={s.width} inverse={s.diagTop + i === s.diagCursor} />
      ))}
    </Box>
  );
}

function Hex({ s }: { s: State }) {
  const { paneRows } = layout(s);
  const sel = selectedSession(s);
  const raw = sel ? rawMessages(sel) : undefined;
  const m = s.hex && raw ? raw[s.hex.message] : undefined;
  if (!sel || !m || !s.hex) {
    return (
      <Box flexDirection="column" height={paneRows + 1}>
        <Text dimColor>  no raw bytes to show (esc: back)</Text>
      </Box>
    );
  }
  const hl = s.hex.end > s.hex.start ? { start: s.hex.start, end: s.hex.end } : null;
  const view = hexDump(m.bytes, s.width, hl);
  const name = m.type === -1 ? 'SSLv2 ClientHello' : handshakeTypeName(m.type);
  const title = ` session ${safeText(sel.id)} · message ${s.hex.message + 1}/${(raw as readonly unknown[]).length}: ${name} from the ${m.from}, ${m.bytes.length} bytes${hl ? ` · highlighted ${hl.start}-${hl.end - 1}` : ''} · ←/→ other messages · esc back`;
  return (
    <Box flexDirection="column" height={paneRows + 1}>
      <LineView line={[{ text: title, color: 'cyan' }]} width={s.width} />
      {view.lines.slice(s.hexScroll, s.hexScroll + paneRows).map((l, i) => (
        <LineView key={i} line={l} width={s.width} />
      ))}
    </Box>
  );
}

function Footer({ s, mode }: { s: State; mode: Mode }) {
  if (s.help) return <LineView line={[{ text: ' j/k/PgDn scroll · any other key closes the help · q quits', dim: true }]} width={s.width} />;
  if (s.message) return <LineView line={[{ text: ` ${safeText(s.message.text)}`, color: s.message.error ? 'red' : 'green', bold: true }]} width={s.width} />;
  const line: Line = [];
  for (const h of footerHints(mode)) {
    line.push({ text: ` ${h.label}`, bold: true, color: 'cyan' });
    line.push({ text: ` ${h.hint} ` });
  }
  return <LineView line={line} width={s.width} />;
}

/** The key help: every binding of the table, then the filter syntax. */
function Help({ s }: { s: State }) {
  const rows = s.height - 3;
  const two = s.width >= 150;
  const colW = two ? Math.floor(s.width / 2) : s.width;
  const lines: Line[] = [[{ text: ' Keys', bold: true, color: 'cyan' }]];
  const browse = BINDINGS.filter((b) => b.mode === 'browse').map((b) => `  ${b.label.padEnd(7)}${b.help}`);
  for (let i = 0; i < browse.length; i += two ? 2 : 1) {
    lines.push([{ text: browse.slice(i, i + (two ? 2 : 1)).map((t) => t.padEnd(colW).slice(0, colW)).join('') }]);
  }
  const sort = BINDINGS.filter((b) => b.mode === 'sort' && b.command.type === 'sort').map((b) => `${b.label} ${b.hint ?? ''}`).join(' · ');
  const sortOther = BINDINGS.filter((b) => b.mode === 'sort' && b.command.type !== 'sort').map((b) => `${b.label} ${b.help}`).join(' · ');
  wrap(`Sort menu (s): ${sort} · ${sortOther} · choosing the same column again reverses it`, s.width - 2, 2).forEach((l) => lines.push([{ text: ` ${l}`, color: 'yellow' }]));
  const edit = BINDINGS.filter((b) => b.mode === 'edit').map((b) => `${b.label} ${b.help}`).join(' · ');
  wrap(`While editing the filter or the export path: ${edit}`, s.width - 2, 2).forEach((l) => lines.push([{ text: ` ${l}`, color: 'yellow' }]));
  lines.push([{ text: ' Filter', bold: true, color: 'cyan' }, { text: '  field~text (contains) field=value field!=value field<value; spaces AND, or, not, ( ), a|b', dim: true }]);
  const fields = Object.entries(FILTER_FIELDS).map(([k, v]) => `  ${k}: ${v}`);
  for (let i = 0; i < fields.length; i += two ? 2 : 1) {
    lines.push([{ text: fields.slice(i, i + (two ? 2 : 1)).map((f) => f.padEnd(colW).slice(0, colW)).join('') }]);
  }
  lines.push([{ text: '  e.g. status=failed sni~example not port=443   version<1.2 or cipher~CBC', dim: true }]);
  return (
    <Box flexDirection="column" height={rows}>
      {lines.slice(Math.min(s.helpScroll, Math.max(0, lines.length - rows)), Math.min(s.helpScroll, Math.max(0, lines.length - rows)) + rows).map((l, i) => <LineView key={i} line={l} width={s.width} />)}
    </Box>
  );
}

export function App(props: AppProps) {
  const { stdout } = useStdout();
  const { exit } = useApp();
  const fixed = props.width !== undefined && props.height !== undefined;
  const color = props.color ?? !(process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '');
  // The state lives in a ref and every action goes through the reducer exactly once (a React
  // useReducer plus a copy for key bursts would run costly actions, a sort of 100,000 sessions, twice).
  const store = useRef<State | null>(null);
  if (store.current === null) {
    const size = fixed ? { width: props.width as number, height: props.height as number } : terminalSize(stdout);
    const init: Parameters<typeof initialState>[0] = { ...size, loading: props.load !== undefined };
    if (props.sessions) init.sessions = props.sessions;
    store.current = initialState(init);
  }
  const [s, setS] = useState<State>(store.current);
  const dispatch = useCallback((a: Action): void => {
    const cur = store.current as State;
    const next = reducer(cur, a);
    if (next !== cur) {
      store.current = next;
      setS(next);
    }
  }, []);

  // terminal resizes
  useEffect(() => {
    if (fixed) return;
    const onResize = (): void => dispatch({ type: 'resize', ...terminalSize(stdout) });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);

  // sessions arrive in batches while the capture is read
  const started = useRef(false);
  useEffect(() => {
    if (!props.load || started.current) return;
    started.current = true;
    let buf: Session[] = [];
    let timer: NodeJS.Timeout | null = null;
    let first = true;
    let lastProgress: Progress | null = null;
    const flush = (): void => {
      timer = null;
      if (lastProgress) dispatch({ type: 'progress', progress: lastProgress });
      lastProgress = null;
      if (buf.length === 0) return;
      const batch = buf;
      buf = [];
      dispatch({ type: 'sessionsArrived', sessions: batch });
    };
    const schedule = (): void => {
      if (timer === null) {
        timer = setTimeout(flush, first ? 0 : (props.batchMs ?? 100));
        first = false;
      }
    };
    props.load({
      sessions(batch) {
        for (const x of batch) buf.push(x);
        schedule();
      },
      progress(p) {
        lastProgress = p;
        schedule();
      },
      done(info) {
        if (timer !== null) clearTimeout(timer);
        flush();
        dispatch({ type: 'loadDone', ...(info ? { info } : {}) });
      },
    });
  }, []);

  const run = useCallback((c: Command) => {
    if (c.type === 'quit') exit();
    else if (c.type === 'export') {
      dispatch({ type: 'editApply' });
      const cur = store.current as State;
      const path = c.path.trim();
      if (path === '') {
        dispatch({ type: 'message', text: 'no file name: nothing written', error: true });
        return;
      }
      const list = cur.view.map((i) => cur.sessions[i] as Session);
      dispatch({ type: 'message', text: `writing ${list.length} sessions to ${path}…` });
      exportSessions(path, list).then(
        (n) => dispatch({ type: 'message', text: `wrote ${n} session${n === 1 ? '' : 's'} to ${path}` }),
        (e: unknown) => dispatch({ type: 'message', text: `export failed: ${(e as Error).message ?? String(e)}`, error: true }),
      );
    } else dispatch(c);
  }, [exit, dispatch]);

  const mode = modeOf(s);
  useInput((input, key) => {
    // several keys in one event (a paste, tmux send-keys) are taken one at a time, each on the state the previous left
    for (const c of commandsFor(store.current as State, input, key)) {
      run(c);
      if (c.type === 'quit') break;
    }
  });

  // The diagnosis of a big capture takes a moment: "diagnosing…" is drawn first and the diagnosis made
  // after Ink has written that frame (Ink writes at most every ~33 ms: 30 frames/s), then drawn.
  useEffect(() => {
    if (!needsDiagnosis(s)) return;
    const t = setTimeout(() => {
      const cur = store.current as State;
      if (needsDiagnosis(cur)) dispatch({ type: 'diagnosed', view: cur.view, width: cur.width, lines: diagnoseView(cur) });
    }, DIAGNOSE_DELAY_MS);
    return () => clearTimeout(t);
  }, [s, dispatch]);

  const onFrame = props.onFrame;
  useEffect(() => {
    onFrame?.();
  });

  let body;
  if (s.help) body = <Help s={s} />;
  else if (s.screen === 'groups') body = <Groups s={s} />;
  else if (s.screen === 'diagnosis') body = <Diagnosis s={s} />;
  else if (s.screen === 'hex') body = <Hex s={s} />;
  else {
    body = (
      <Box flexDirection="column" flexGrow={1}>
        <SessionList s={s} />
        {s.detailOpen ? <Detail s={s} /> : null}
      </Box>
    );
  }
  return (
    <ColorContext.Provider value={color}>
      <Box flexDirection="column" width={s.width} height={s.height}>
        <Header s={s} name={props.name} />
        {body}
        <Footer s={s} mode={mode} />
      </Box>
    </ColorContext.Provider>
  );
}
