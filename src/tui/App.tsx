/**
 * The Ink components of the terminal UI. All state lives in the reducer
 * (state.ts); keys go through the one table (keys.ts); text comes from
 * format.ts, where wire strings are made safe.
 */
import { basename } from 'node:path';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import type { Session } from '../core/model.js';
import { safeText } from '../session/safe-text.js';
import { BINDINGS, footerHints, type Command, type Mode } from './keys.js';
import { commandsFor, modeOf } from './input.js';
import { FILTER_FIELDS } from './filter.js';
import { cell, columns, detailLines, statusColor, wrap, type Line } from './format.js';
import { initialState, layout, reducer, selectedSession, SORT_LABELS, visibleRows, type Action, type LoadInfo, type State } from './state.js';

/** What a loader reports to the UI. */
export interface LoadSink {
  sessions(batch: readonly Session[]): void;
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
}

function terminalSize(stdout: NodeJS.WriteStream): { width: number; height: number } {
  // one row less than the terminal: a frame as tall as the screen makes Ink clear the screen on each update
  return { width: stdout.columns || 80, height: Math.max(8, (stdout.rows || 25) - 1) };
}

function LineView({ line, width }: { line: Line; width: number }) {
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate-end">
        {line.map((seg, i) => (
          <Text key={i} color={seg.color} bold={seg.bold} dimColor={seg.dim}>
            {seg.text}
          </Text>
        ))}
      </Text>
    </Box>
  );
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
  if (s.loading) line1.push({ text: '  loading…', color: 'yellow' });
  else if (s.packets !== null) line1.push({ text: `  ${s.packets} packets`, dim: true });
  if (s.loadError) line1.push({ text: `  read error: ${safeText(s.loadError)}`, color: 'red', bold: true });
  else if (s.warnings.length > 0) line1.push({ text: `  ${s.warnings.length} warning${s.warnings.length === 1 ? '' : 's'}: ${safeText(s.warnings[0] ?? '')}`, color: 'yellow' });

  let line2: Line;
  if (s.editing !== null) {
    const cps = Array.from(s.editing);
    const err = s.filterError;
    const pos = err ? Math.min(err.pos, cps.length) : -1;
    line2 = [{ text: ' filter: /', color: 'cyan', bold: true }];
    if (err) {
      line2.push({ text: safeText(cps.slice(0, pos).join('')) });
      line2.push({ text: pos < cps.length ? safeText(cps[pos] as string) : ' ', color: 'red', bold: true });
      line2.push({ text: safeText(cps.slice(pos + 1).join('')) + '▏' });
      line2.push({ text: `  col ${err.pos + 1}: ${safeText(err.message)}`, color: 'red' });
    } else {
      line2.push({ text: safeText(s.editing) + '▏' });
    }
  } else {
    line2 = [
      { text: ' sort: ', dim: true },
      { text: SORT_LABELS[s.sort] },
      { text: '  filter: ', dim: true },
      { text: s.filterText === '' ? '(none)' : safeText(s.filterText), ...(s.filterText === '' ? { dim: true } : { color: 'cyan' as const }) },
    ];
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
  return (
    <Box flexDirection="column" height={listRows + 1}>
      <Box height={1}>
        {cols.map((c) => (
          <Box key={c.key} width={c.width} marginRight={1} flexShrink={0}>
            <Text bold dimColor wrap="truncate-end">{c.title}</Text>
          </Box>
        ))}
      </Box>
      {rows.length === 0 ? (
        <Text dimColor>{s.loading ? '  reading the capture…' : s.sessions.length === 0 ? '  no TLS sessions in this capture' : '  no session matches the filter'}</Text>
      ) : (
        rows.map(({ index, session }) => {
          const sel = index === s.cursor;
          return (
            <Box key={session.id} height={1}>
              {cols.map((c) => {
                const text = cell(session, c.key);
                const color = c.key === 'status' ? statusColor(text) : undefined;
                return (
                  <Box key={c.key} flexShrink={0}>
                    <Box width={c.width} flexShrink={0}>
                      <Text inverse={sel} color={color} wrap="truncate-end">{text.padEnd(c.width)}</Text>
                    </Box>
                    <Text inverse={sel}> </Text>
                  </Box>
                );
              })}
            </Box>
          );
        })
      )}
    </Box>
  );
}

function Detail({ s }: { s: State }) {
  const sel = selectedSession(s);
  const { detailRows } = layout(s);
  const lines = sel ? detailLines(sel, s.width) : [];
  const maxScroll = Math.max(0, lines.length - detailRows);
  const from = Math.min(s.detailScroll, maxScroll);
  const shown = lines.slice(from, from + detailRows);
  const more = lines.length > detailRows ? ` ${from + 1}-${from + shown.length}/${lines.length} (J/K scroll)` : '';
  const bar = `── session ${sel ? sel.id : '-'} ${more} `;
  return (
    <Box flexDirection="column" height={detailRows + 1}>
      <LineView line={[{ text: bar + '─'.repeat(Math.max(0, s.width - bar.length)), color: 'cyan' }]} width={s.width} />
      {sel ? shown.map((l, i) => <LineView key={i} line={l} width={s.width} />) : <Text dimColor>  no session selected</Text>}
    </Box>
  );
}

function Footer({ s, mode }: { s: State; mode: Mode }) {
  if (s.help) return <LineView line={[{ text: ' any key closes the help · q quits', dim: true }]} width={s.width} />;
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
  const two = s.width >= 76;
  const colW = two ? Math.floor(s.width / 2) : s.width;
  const lines: Line[] = [[{ text: ' Keys', bold: true, color: 'cyan' }]];
  const browse = BINDINGS.filter((b) => b.mode === 'browse').map((b) => `  ${b.label.padEnd(8)}${b.help}`);
  for (let i = 0; i < browse.length; i += two ? 2 : 1) {
    lines.push([{ text: browse.slice(i, i + (two ? 2 : 1)).map((t) => t.padEnd(colW).slice(0, colW)).join('') }]);
  }
  const edit = BINDINGS.filter((b) => b.mode === 'edit').map((b) => `${b.label} ${b.help}`).join(' · ');
  wrap(`While editing the filter: ${edit}`, s.width - 2, 2).forEach((l) => lines.push([{ text: ` ${l}`, color: 'yellow' }]));
  lines.push([{ text: ' Filter', bold: true, color: 'cyan' }, { text: '  spaces AND, or, not/-, ( ), a|b; bare words: SNI, IP, finding', dim: true }]);
  const fields = Object.entries(FILTER_FIELDS).map(([k, v]) => `  ${k}: ${v}`);
  for (let i = 0; i < fields.length; i += two ? 2 : 1) {
    lines.push([{ text: fields.slice(i, i + (two ? 2 : 1)).map((f) => f.padEnd(colW).slice(0, colW)).join('') }]);
  }
  lines.push([{ text: '  e.g. status:failed sni:example -port:443   severity>=medium or finding:expired', dim: true }]);
  return (
    <Box flexDirection="column" height={rows}>
      {lines.slice(0, rows).map((l, i) => <LineView key={i} line={l} width={s.width} />)}
    </Box>
  );
}

export function App(props: AppProps) {
  const { stdout } = useStdout();
  const { exit } = useApp();
  const fixed = props.width !== undefined && props.height !== undefined;
  const [s, dispatch] = useReducer(reducer, undefined, () => {
    const size = fixed ? { width: props.width as number, height: props.height as number } : terminalSize(stdout);
    const init: Parameters<typeof initialState>[0] = { ...size, loading: props.load !== undefined };
    if (props.sessions) init.sessions = props.sessions;
    return initialState(init);
  });

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
    const flush = (): void => {
      timer = null;
      if (buf.length === 0) return;
      const batch = buf;
      buf = [];
      dispatch({ type: 'sessionsArrived', sessions: batch });
    };
    props.load({
      sessions(batch) {
        for (const x of batch) buf.push(x);
        if (timer === null) {
          timer = setTimeout(flush, first ? 0 : (props.batchMs ?? 100));
          first = false;
        }
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
    else dispatch(c as Action);
  }, [exit]);

  const mode = modeOf(s);
  // the latest state, also advanced between keys that arrive before React re-renders (the handler's closure may be stale)
  const latest = useRef(s);
  latest.current = s;
  useInput((input, key) => {
    let cur = latest.current;
    for (const c of commandsFor(cur, input, key)) {
      run(c);
      if (c.type !== 'quit') cur = reducer(cur, c);
    }
    latest.current = cur;
  });

  return (
    <Box flexDirection="column" width={s.width} height={s.height}>
      <Header s={s} name={props.name} />
      {s.help ? (
        <Help s={s} />
      ) : (
        <Box flexDirection="column" flexGrow={1}>
          <SessionList s={s} />
          {s.detailOpen ? <Detail s={s} /> : null}
        </Box>
      )}
      <Footer s={s} mode={mode} />
    </Box>
  );
}
