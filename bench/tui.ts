/**
 * Terminal UI responsiveness (`npm run bench`, phase `tui`; alone:
 * `node dist/bench/tui.js [SESSIONS]`): the real <App> holding 100,000
 * sessions, driven key by key through Ink (ink-testing-library's streams, a
 * 120x35 screen); each key is timed from the write on stdin to the frame
 * committed after it. Target (issue #5): every key repaints in under 50 ms.
 * Ink's own frame throttle (30 frames/s on a terminal, none here) can add up
 * to ~33 ms when keys come faster than that.
 *
 * The sessions are the fixture captures' real sessions (with their raw
 * handshake bytes), repeated with new ids, ports and times.
 */
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Session } from '../src/core/model.js';
import { rawMessages, setRawMessages } from '../src/core/raw.js';
import { analyze } from '../src/analyze.js';

// as the CLI does (src/cli/main.ts): React's production build; loaded after this is set
process.env.NODE_ENV ??= 'production';
const { createElement } = await import('react');
const { render } = await import('ink-testing-library');
const { App } = await import('../src/tui/App.js');

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

export interface KeyTiming {
  key: string;
  what: string;
  presses: number;
  medianMs: number;
  maxMs: number;
}

export interface TuiBench {
  sessions: number;
  buildMs: number;
  firstFrameMs: number;
  keys: KeyTiming[];
  heapMB: number;
  /** From the diagnosis screen's first frame to its lines (diagnose() over every session). */
  diagnoseMs: number;
}

async function baseSessions(): Promise<Session[]> {
  const out: Session[] = [];
  for (const f of ['demo.pcapng', 'diagnose.pcapng']) {
    const r = await analyze(join(root, 'fixtures', f), { keepRaw: true });
    out.push(...r.sessions);
  }
  return out;
}

function many(base: Session[], n: number): Session[] {
  const out: Session[] = new Array(n);
  const t0 = 1795168800;
  for (let i = 0; i < n; i++) {
    const b = base[i % base.length] as Session;
    const ts = t0 + i * 0.01;
    const iso = new Date(Math.floor(ts * 1000)).toISOString().replace('Z', '000Z');
    const s: Session = { ...b, id: String(i + 1), flow_id: i + 1, client: { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) }, start_ts: ts, end_ts: ts + 0.05, start_time: iso };
    const raw = rawMessages(b);
    if (raw) setRawMessages(s, raw as never);
    out[i] = s;
  }
  return out;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function runTuiBench(n = 100_000): Promise<TuiBench> {
  const t0 = performance.now();
  const sessions = many(await baseSessions(), n);
  let frames = 0;
  let frameAt = 0;
  const onFrame = (): void => {
    frames++;
    frameAt = performance.now();
  };
  const t1 = performance.now();
  const app = render(createElement(App, { name: 'bench.pcap', sessions, width: 120, height: 35, onFrame }));
  const t2 = performance.now();
  await tick();

  /** Writes one key and waits for the frame it causes; NaN when nothing was redrawn within 1 s (the key changed nothing). */
  const press = async (key: string): Promise<number> => {
    const before = frames;
    const start = performance.now();
    app.stdin.write(key);
    while ((frames === before || frameAt < start) && performance.now() - start < 1000) await tick();
    // the time the frame was committed (work queued after it, like the diagnosis, is not the key's)
    return frames === before ? NaN : frameAt - start;
  };
  const keys: KeyTiming[] = [];
  const measure = async (key: string, what: string, times: number, label = key): Promise<void> => {
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
      const t = await press(key);
      if (!Number.isNaN(t)) ms.push(t);
    }
    if (ms.length === 0) throw new Error(`key ${label} (${what}) redrew nothing`);
    if (process.env.TUI_BENCH_TRACE) process.stderr.write(`${label}: ${ms.map((x) => x.toFixed(1)).join(" ")}\n`);
    ms.sort((a, b) => a - b);
    keys.push({ key: label, what, presses: ms.length, medianMs: ms[Math.floor(ms.length / 2)] as number, maxMs: ms[ms.length - 1] as number });
  };
  await measure('j', 'next session', 30);
  await measure('\x1b[6~', 'next page', 10, 'PgDn');
  await measure('G', 'last session', 3);
  await measure('g', 'first session', 3);
  await measure('n', 'next failed session', 10);
  await measure('\r', 'open the detail tree', 1, 'Enter');
  await measure('j', 'next tree node', 10, 'j (tree)');
  await press('g'); // the tree's first node (the summary) has children
  await measure(' ', 'expand/collapse a node', 4, 'Space');
  await measure('x', 'hex view', 1);
  await measure('\x1b', 'back from hex', 1, 'Esc');
  await measure('\t', 'focus back to the list', 1, 'Tab');
  await measure('/', 'open the filter editor', 1);
  for (const ch of 'sni~exampl') await press(ch);
  await measure('e', 'type a filter character (live check)', 1);
  await measure('\r', `apply a filter over ${n} sessions`, 1, 'Enter (filter)');
  await press('/');
  await press('\x15'); // ctrl+u
  await measure('\r', 'clear the filter', 1, 'Enter (no filter)');
  await press('s');
  await measure('u', `sort ${n} sessions by status`, 1, 's u');
  await press('s');
  await measure('t', 'sort by time again', 1, 's t');
  await measure('2', `group ${n} sessions by SNI`, 1);
  await measure('s', 'group by server instead', 1, 's (groups)');
  await measure('3', `diagnosis screen (shows "diagnosing…")`, 1);
  // the diagnosis itself is computed after that frame: timed apart, it is not a repaint
  const d0 = performance.now();
  while ((app.lastFrame() ?? '').includes('diagnosing') && performance.now() - d0 < 30_000) await tick();
  const diagnoseMs = performance.now() - d0;
  // let the frame of the diagnosis be counted before the next key
  for (let i = 0; i < 5; i++) await tick();
  await measure('1', 'back to the list', 1);
  const heapMB = process.memoryUsage().heapUsed / 1e6;
  app.unmount();
  return { sessions: n, buildMs: t1 - t0, firstFrameMs: t2 - t1, keys, heapMB, diagnoseMs };
}

export function tuiMarkdown(r: TuiBench): string {
  const lines = [
    `### terminal UI: ${r.sessions} sessions, 120x35, key press to committed frame`,
    '',
    `First frame ${r.firstFrameMs.toFixed(0)} ms; JS heap in use ${r.heapMB.toFixed(0)} MB; the diagnosis of all ${r.sessions} sessions is drawn ${r.diagnoseMs.toFixed(0)} ms after its screen opens (computed off the key path, "diagnosing…" shown meanwhile).`,
    '',
    '| key | what | presses | median ms | max ms |',
    '| --- | --- | ---: | ---: | ---: |',
    ...r.keys.map((k) => `| ${k.key} | ${k.what} | ${k.presses} | ${k.medianMs.toFixed(1)} | ${k.maxMs.toFixed(1)} |`),
    '',
  ];
  const worst = r.keys.reduce((a, k) => (k.maxMs > a.maxMs ? k : a));
  lines.push(`- ${worst.maxMs < 50 ? 'PASS' : 'FAIL'} every key repaints in < 50 ms: slowest ${worst.key} (${worst.what}) ${worst.maxMs.toFixed(1)} ms`);
  return lines.join('\n') + '\n';
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 100_000);
  runTuiBench(n).then(
    (r) => {
      process.stdout.write(tuiMarkdown(r));
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
