/**
 * `tlsscope tui CAPTURE` (and `tlsscope CAPTURE`): browse the TLS sessions of
 * a capture in the terminal. Loaded lazily by the CLI, so other commands do
 * not pay for Ink and React.
 *
 * The CLI calls it only with a terminal on both ends and a capture file (it
 * prints the `list` output otherwise: src/cli/main.ts). Returns the exit code,
 * 0 after quitting. A capture that cannot be opened (CaptureError) is thrown before
 * the screen is taken, for the CLI to print as one line; an error later in
 * the file is shown in the UI (the sessions read so far stay browsable).
 */
import { Readable } from 'node:stream';
import { render } from 'ink';
import type { Session } from '../core/model.js';
import { CaptureError } from '../core/types.js';
import { analyze, type AnalyzeOptions, type AnalyzeResult } from '../analyze.js';
import { DEFAULT_CHUNK, openPath } from '../capture/source.js';
import { App, type LoadSink } from './App.js';
import type { LoadInfo, Progress } from './state.js';
import { statSync } from 'node:fs';
import { loadCaFile } from '../x509/ca.js';
import { loadKeyLogFile } from '../tls/keylog.js';
import { interfaceNotice } from '../decode/anomalies.js';

export interface TuiOptions {
  ca?: string | undefined;
  /** NSS key log file with TLS secrets (`--keylog`). */
  keylog?: string | undefined;
  'pcap-impl'?: string | undefined;
  /** Streams (default: the process's). */
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}



function errorLine(e: unknown): string {
  if (e instanceof CaptureError) return e.oneLine();
  return (e as Error)?.message ?? String(e);
}

export async function runTui(capture: string, opts: TuiOptions = {}): Promise<number> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  // raw handshake bytes are kept for the hex view
  const aopts: AnalyzeOptions = { name: capture, keepSessions: false, keepRaw: true, heapGovernor: false };
  const ca = loadCaFile(opts.ca);
  if (ca) aopts.extraCAs = ca;
  if (opts.keylog) {
    const k = loadKeyLogFile(opts.keylog);
    for (const w of k.warnings) stderr.write(`tlsscope: warning: ${w}\n`);
    aopts.keylog = k.keylog;
  }
  const impl = opts['pcap-impl'];
  if (impl === 'tlsscope' || impl === 'pcap-parser' || impl === 'auto') aopts.pcapImpl = impl;

  // Start reading before taking the screen: an unreadable capture fails fast
  // (missing file, unknown format) and is thrown to the caller as one line.
  let quit = false;
  let sink: LoadSink | null = null;
  const early: Session[] = [];
  let firstSession: () => void = () => {};
  const gotOne = new Promise<void>((res) => (firstSession = res));
  aopts.onSession = (s) => {
    if (quit) return;
    if (sink) sink.sessions([s]);
    else {
      early.push(s);
      firstSession();
    }
  };
  // The file is read through a stream that stops when the user quits, so leaving mid-way does not wait
  // for the rest of a large capture. Opening it here throws the CLI's usual CaptureError (no such file...).
  const chunks = await openPath(capture, capture, DEFAULT_CHUNK);
  let total: number | null = null;
  try {
    const st = statSync(capture);
    if (st.isFile()) total = st.size;
  } catch {
    // openPath reported what matters
  }
  let read = 0;
  const t0 = Date.now();
  const progress = (): Progress => ({ bytes: read, total, mbps: read / 1e6 / Math.max(0.001, (Date.now() - t0) / 1000) });
  async function* untilQuit(): AsyncGenerator<Buffer> {
    for await (const b of chunks) {
      if (quit) return;
      read += b.length;
      sink?.progress?.(progress());
      yield b;
    }
  }
  let outcome: { ok: AnalyzeResult } | { err: unknown } | null = null;
  const running = analyze(Readable.from(untilQuit(), { objectMode: false }), aopts).then(
    (r) => { outcome = { ok: r }; },
    (e: unknown) => { outcome = { err: e }; },
  );
  await Promise.race([running, gotOne, new Promise((res) => setTimeout(res, 250))]);
  const settled = outcome as { ok: AnalyzeResult } | { err: unknown } | null;
  if (settled && 'err' in settled && early.length === 0) throw settled.err;

  const report = (o: { ok: AnalyzeResult } | { err: unknown }, s: LoadSink): void => {
    if ('ok' in o) {
      const warnings = o.ok.warnings.map((w) => `offset ${w.offset}: ${w.message}`);
      for (const a of o.ok.anomalies) {
        const notice = interfaceNotice(a);
        if (notice !== undefined) warnings.push(notice);
      }
      s.done({ packets: o.ok.packets, warnings });
    } else if (!quit) {
      s.done({ error: errorLine(o.err) } satisfies LoadInfo);
    }
  };

  // alternate screen: the shell's scrollback is left as it was
  stdout.write('\x1b[?1049h\x1b[H');
  const restore = (): void => {
    stdout.write('\x1b[?1049l');
  };
  const onSignal = (): void => {
    restore();
    process.exit(130);
  };
  process.once('SIGTERM', onSignal);
  try {
    const app = render(
      <App
        name={capture}
        load={(s) => {
          if (early.length > 0) s.sessions(early.splice(0));
          sink = s;
          if (outcome) report(outcome, s);
          else void running.then(() => { if (outcome) report(outcome, s); });
        }}
      />,
      { stdin, stdout, stderr, exitOnCtrlC: false, patchConsole: true },
    );
    await app.waitUntilExit();
  } finally {
    quit = true;
    process.off('SIGTERM', onSignal);
    restore();
  }
  return 0;
}
