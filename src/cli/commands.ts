/**
 * The command implementations, loaded on demand by main.ts so that
 * `--help` and `--version` do not pay for the analysis modules.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Anomaly } from '../core/types.js';
import type { Session } from '../core/model.js';
import { SCHEMA_VERSION } from '../core/model.js';
import { analyze, bySessionStart, type AnalyzeOptions } from '../analyze.js';
import { writeSessionBytes } from '../export/json.js';
import { flowsFooter, flowsHeader, renderFlowLine, renderListLine, listHeader } from './render.js';
import { Diagnosis, renderDiagnoseText } from '../session/diagnose.js';
import { loadCaFile } from '../x509/ca.js';
import { loadKeyLogFile } from '../tls/keylog.js';
import { STDIN_TOKEN } from './stdin-token.js';
import { interfaceNotice } from '../decode/anomalies.js';


function fail(msg: string, code: number): never {
  process.stderr.write(`tlsscope: ${msg}\n`);
  process.exit(code);
}

/**
 * Writes to stdout or a file. Small writes are batched (64 KiB, or until the
 * current batch of packets is done) so a session costs one string append, not
 * one system call, while NDJSON still streams as the capture is read. Strings
 * are encoded (UTF-8) straight into the batch buffer, and sessions arrive as
 * UTF-8 bytes already (writeSessionBytes) that are copied in; a batch's
 * buffer is reused once the stream has called back for it.
 */
const OUT_BATCH = 65536;

class Out {
  private readonly w: Writable;
  private readonly isFile: boolean;
  private buf: Buffer = Buffer.allocUnsafe(OUT_BATCH);
  private readonly spare: Buffer[] = [];
  private readonly syncSink: boolean;
  private used = 0;
  private scheduled = false;
  constructor(file: string | undefined) {
    this.isFile = !!file && file !== '-';
    this.w = this.isFile ? createWriteStream(file as string) : process.stdout;
    // stdout on a file or device is Node's SyncWriteStream: each write is an fs.writeSync
    this.syncSink = !this.isFile && this.w.constructor.name === 'SyncWriteStream';
    this.w.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      fail(`${this.isFile ? file : 'stdout'}: ${e.message}`, 1);
    });
  }
  write(s: string): void {
    // at most 3 bytes per UTF-16 unit
    if (this.used + s.length * 3 > this.buf.length) {
      this.flush();
      if (s.length * 3 > this.buf.length) {
        this.w.write(s);
        return;
      }
    }
    this.used += this.buf.write(s, this.used);
    this.schedule();
  }
  /** Copies `b` (which the caller may reuse afterwards) into the batch. */
  writeBytes(b: Uint8Array): void {
    if (this.used + b.length > this.buf.length) {
      this.flush();
      if (b.length > this.buf.length) {
        this.w.write(Buffer.from(b));
        return;
      }
    }
    this.buf.set(b, this.used);
    this.used += b.length;
    this.schedule();
  }
  /** The batch goes out once the current work yields. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }
  /**
   * Backpressure for the capture reader (AnalyzeOptions.pace): what is batched
   * goes out, and when the stream holds more than its high-water mark (a slow
   * pipe reader, a slow disk) the next chunk of the capture waits for 'drain',
   * so memory stays bounded whatever the consumer's speed.
   */
  pace(): Promise<void> | undefined {
    this.flush();
    if (!this.w.writableNeedDrain) return undefined;
    return new Promise<void>((res) => this.w.once('drain', res));
  }
  private flush(): void {
    if (this.used === 0) return;
    const b = this.buf;
    if (this.syncSink) {
      // written (fs.writeSync) before write() returns: the buffer can be filled again at once
      this.w.write(b.subarray(0, this.used));
      this.used = 0;
      return;
    }
    // the stream is done with a chunk when it calls back: the buffer is used again then
    this.w.write(b.subarray(0, this.used), () => {
      if (this.spare.length < 4) this.spare.push(b);
    });
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(OUT_BATCH);
    this.used = 0;
  }
  async close(): Promise<void> {
    this.flush();
    if (this.isFile) await new Promise<void>((res) => this.w.end(res));
    else await new Promise<void>((res) => (this.w.write('', () => res())));
  }
}


function baseOpts(argv: { ca?: string | undefined; keylog?: string | undefined; 'pcap-impl'?: string | undefined; capture: string }): AnalyzeOptions {
  if (argv.capture === STDIN_TOKEN) argv.capture = '-';
  const o: AnalyzeOptions = { name: argv.capture === '-' ? '(stdin)' : argv.capture };
  const ca = loadCaFile(argv.ca);
  if (ca) o.extraCAs = ca;
  if (argv.keylog) {
    const k = loadKeyLogFile(argv.keylog);
    for (const w of k.warnings) process.stderr.write(`tlsscope: warning: ${w}\n`);
    o.keylog = k.keylog;
  }
  const impl = argv['pcap-impl'];
  if (impl === 'tlsscope' || impl === 'pcap-parser' || impl === 'auto') o.pcapImpl = impl;
  return o;
}

/** Capture-file warnings, and the decoder's "cannot decode this interface" notices, one line each. */
function warn(warnings: { code: string; offset: number; message: string }[], capture: string, anomalies: Anomaly[] = []): void {
  for (const w of warnings) process.stderr.write(`tlsscope: warning: ${capture}: offset ${w.offset}: ${w.message}\n`);
  for (const a of anomalies) {
    const notice = interfaceNotice(a);
    if (notice !== undefined) process.stderr.write(`tlsscope: warning: ${capture}: ${notice}\n`);
  }
}

export async function cmdExport(argv: { capture: string; format: string; output?: string | undefined; ca?: string | undefined; keylog?: string | undefined; 'pcap-impl'?: string | undefined }): Promise<number> {
  const out = new Out(argv.output);
  const nd = argv.format === 'ndjson';
  let n = 0;
  const opts = baseOpts(argv);
  opts.keepSessions = false;
  opts.pace = () => out.pace();
  const sink = (b: Uint8Array): void => out.writeBytes(b);
  opts.onSession = (s: Session) => {
    if (nd) {
      writeSessionBytes(s, '\n', sink);
    } else {
      out.write(n === 0 ? '[\n' : ',\n');
      writeSessionBytes(s, '', sink);
    }
    n++;
  };
  const r = await analyze(argv.capture, opts);
  if (!nd) out.write(n === 0 ? '[]\n' : '\n]\n');
  await out.close();
  warn(r.warnings, argv.capture, r.anomalies);
  return 0;
}

export async function cmdFlows(argv: { capture: string; format: string; 'pcap-impl'?: string | undefined }): Promise<number> {
  const opts = baseOpts(argv);
  opts.tls = false;
  // streamed as conversations end (in that order), so memory does not grow with their number
  const out = new Out(undefined);
  const json = argv.format === 'json';
  let n = 0;
  let tunneled = false;
  if (!json) out.write(flowsHeader() + '\n');
  opts.onFlow = (f) => {
    if (json) out.write((n === 0 ? '[\n' : ',\n') + JSON.stringify(f));
    else out.write(renderFlowLine(f) + '\n');
    if (f.tunnel) tunneled = true;
    n++;
  };
  const r = await analyze(argv.capture, opts);
  if (json) out.write(n === 0 ? '[]\n' : '\n]\n');
  else out.write(flowsFooter(n, tunneled) + '\n');
  await out.close();
  warn(r.warnings, argv.capture, r.anomalies);
  return 0;
}

export async function cmdList(argv: { capture: string; ca?: string | undefined; keylog?: string | undefined; header: boolean; 'pcap-impl'?: string | undefined }): Promise<number> {
  const out = new Out(undefined);
  const opts = baseOpts(argv);
  // printed in start order once the capture is read: each session is kept as its line only (a few
  // hundred bytes, not the whole session)
  const rows: { order: Pick<Session, 'start_ts' | 'flow_id' | 'handshake_index'>; line: string }[] = [];
  opts.keepSessions = false;
  opts.onSession = (s) => {
    rows.push({ order: { start_ts: s.start_ts, flow_id: s.flow_id, handshake_index: s.handshake_index }, line: renderListLine(s) });
  };
  const r = await analyze(argv.capture, opts);
  rows.sort((a, b) => bySessionStart(a.order, b.order));
  if (argv.header) out.write(listHeader() + '\n');
  for (const row of rows) out.write(row.line + '\n');
  await out.close();
  warn(r.warnings, argv.capture, r.anomalies);
  return 0;
}

const SEVERITIES = ['info', 'low', 'medium', 'high'] as const;

export async function cmdDiagnose(argv: { capture: string; format: string; 'fail-on'?: string | undefined; ca?: string | undefined; keylog?: string | undefined; 'pcap-impl'?: string | undefined }): Promise<number> {
  const opts = baseOpts(argv);
  // the report is built as sessions complete (session/diagnose.ts Diagnosis), in the order of their
  // start: what it keeps does not grow with whole sessions
  const d = new Diagnosis();
  opts.keepSessions = false;
  opts.onSession = (s) => d.add(s, [s.start_ts, s.flow_id, s.handshake_index]);
  const r = await analyze(argv.capture, opts);
  const report = d.report({
    captureStart: r.firstTs ? new Date(r.firstTs.sec * 1000) : null,
    captureEnd: r.lastTs ? new Date(r.lastTs.sec * 1000) : null,
  });
  const out = new Out(undefined);
  if (argv.format === 'json') out.write(JSON.stringify({ schema_version: SCHEMA_VERSION, capture: argv.capture, ...report }, null, 1) + '\n');
  else out.write(renderDiagnoseText(report));
  await out.close();
  warn(r.warnings, argv.capture, r.anomalies);
  const threshold = argv['fail-on'];
  if (threshold) {
    const worst = report.max_severity;
    if (worst !== null && SEVERITIES.indexOf(worst) >= SEVERITIES.indexOf(threshold as (typeof SEVERITIES)[number])) return 3;
  }
  return 0;
}

