/**
 * The one entry point shared by the CLI and the tests:
 * capture -> decode -> reassembly -> tls -> session.
 */
import type { Readable } from 'node:stream';
import type { CertificateJson, Session } from './core/model.js';
import type { Anomaly, CaptureWarning, Packet, Ts } from './core/types.js';
import { openCapture } from './capture/open.js';
import type { CaptureInfo, InterfaceInfo } from './capture/types.js';
import { Decoder } from './decode/decoder.js';
import type { Segment } from './decode/types.js';
import { Reassembler } from './reassembly/reassembler.js';
import type { FlowInfo, StreamConsumer } from './reassembly/types.js';
import { TlsFlowConsumer, newDetectBudget } from './session/flow.js';
import { UdpTlsConsumer } from './session/udp.js';
import { finalizeSession } from './session/finalize.js';
import { newPieceBudget } from './core/range-buffer.js';
import { flowToJson, type FlowJson } from './export/flows.js';
import { KeyLog } from './tls/keylog.js';
import { HeapGovernor } from './core/heap.js';

export interface AnalyzeOptions {
  /** Dissect TLS (default true). `flows` turns it off. */
  tls?: boolean;
  /** Keep flow summaries (default false). */
  flows?: boolean;
  /** Called with each conversation's summary when it ends (instead of keeping them when `flows` is false). */
  onFlow?: (f: FlowJson) => void;
  /** Called with each finished session as soon as its stream ends (for NDJSON streaming). */
  onSession?: (s: Session) => void;
  /** Keep sessions in the result (default true). */
  keepSessions?: boolean;
  extraCAs?: CertificateJson[];
  pcapImpl?: 'auto' | 'tlsscope' | 'pcap-parser';
  now?: Date;
  /** Display name of the input for error messages. */
  name?: string;
  /**
   * TLS secrets (NSS key log) to decrypt TLS 1.3 handshakes with; the capture's own Decryption
   * Secrets Blocks are added to it as they are read. Default: a new, empty one.
   */
  keylog?: KeyLog;
  /** Keep each TLS handshake message's bytes on its session (rawMessages(), never exported): the terminal UI's hex view. */
  keepRaw?: boolean;
  /** Called before each chunk of the capture is read; reading waits for the promise it returns (output backpressure). */
  pace?: () => Promise<void> | undefined;
  /** Bytes per read of a capture file (default 1 MiB; tests use small ones). */
  chunkSize?: number;
  /**
   * Keep the heap near its live size with full collections between chunks (core/heap.ts; default
   * true). The terminal UI turns it off: what it keeps is live, and it would rather not pause.
   */
  heapGovernor?: boolean;
}

export interface AnalyzeResult {
  info: CaptureInfo;
  interfaces: InterfaceInfo[];
  sessions: Session[];
  flows: FlowJson[];
  warnings: CaptureWarning[];
  /** Decoder anomalies (link/IP level), each code once. */
  anomalies: Anomaly[];
  packets: number;
  firstTs: Ts | null;
  lastTs: Ts | null;
}

/** A consumer for `flows`: reassembles (to count bytes) and discards. */
const NULL_CONSUMER: StreamConsumer = {
  data() {},
  gap() {},
  end() {},
};

export async function analyze(source: string | Readable, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const wantTls = opts.tls !== false;
  const keep = opts.keepSessions !== false;
  const sessions: Session[] = [];
  const flows: FlowJson[] = [];
  const anomalies: Anomaly[] = [];
  const anomalyCodes = new Set<string>();
  const openOpts: Parameters<typeof openCapture>[1] = {};
  if (opts.pcapImpl) openOpts.pcapImpl = opts.pcapImpl;
  if (opts.name) openOpts.name = opts.name;
  if (opts.chunkSize) openOpts.chunkSize = opts.chunkSize;
  // between chunks: keep the heap near its live size (core/heap.ts), then the caller's backpressure
  const heap = opts.heapGovernor === false ? undefined : new HeapGovernor();
  const pace = opts.pace;
  if (heap !== undefined || pace !== undefined) {
    openOpts.pace = () => {
      heap?.check();
      return pace?.();
    };
  }
  const reader = await openCapture(source, openOpts);
  const onSession = (s: Session, raw: Parameters<typeof finalizeSession>[1]): void => {
    const fo: Parameters<typeof finalizeSession>[2] = { extraCAs: opts.extraCAs };
    if (opts.now) fo.now = opts.now;
    const { session } = finalizeSession(s, raw, fo);
    if (keep) sessions.push(session);
    opts.onSession?.(session);
  };
  const detectBudget = newDetectBudget();
  const pieces = newPieceBudget();
  const keylog = opts.keylog ?? new KeyLog();
  const reasm = new Reassembler(
    (flow: FlowInfo) => {
      if (!wantTls) return flow.transport === 'tcp' ? NULL_CONSUMER : undefined;
      if (flow.transport === 'udp') return new UdpTlsConsumer(flow, onSession, pieces);
      return new TlsFlowConsumer(flow, onSession, detectBudget, keylog, opts.keepRaw === true);
    },
    opts.flows || opts.onFlow
      ? {
          onFlowEnd: (f) => {
            const j = flowToJson(f);
            if (opts.flows) flows.push(j);
            opts.onFlow?.(j);
          },
        }
      : {},
  );
  const decoder = new Decoder({
    segment: (seg: Segment) => reasm.segment(seg),
    anomaly: (a: Anomaly) => {
      // once per code; an unsupported link type once per interface (the decoder already says it once each)
      const key = a.code === 'unsupported_link_type' ? `${a.code} ${a.detail ?? ''}` : a.code;
      if (!anomalyCodes.has(key)) {
        anomalyCodes.add(key);
        anomalies.push(a);
      }
    },
  });
  let packets = 0;
  let s0 = Infinity, n0 = 0, s1 = -Infinity, n1 = 0;
  const secrets = reader.secrets;
  let secretsTaken = 0;
  await reader.run((p: Packet) => {
    packets++;
    // Decryption Secrets Blocks precede the packets they apply to (the list only grows)
    while (secretsTaken < secrets.length) keylog.addSecret(secrets[secretsTaken++]!);
    if (p.tsSec < s0 || (p.tsSec === s0 && p.tsNsec < n0)) { s0 = p.tsSec; n0 = p.tsNsec; }
    if (p.tsSec > s1 || (p.tsSec === s1 && p.tsNsec > n1)) { s1 = p.tsSec; n1 = p.tsNsec; }
    decoder.decode(p);
  });
  decoder.finish();
  reasm.finish();
  const firstTs: Ts | null = packets > 0 ? { sec: s0, nsec: n0 } : null;
  const lastTs: Ts | null = packets > 0 ? { sec: s1, nsec: n1 } : null;
  sessions.sort(bySessionStart);
  flows.sort((x, y) => x.id - y.id);
  return { info: reader.info, interfaces: reader.interfaces, sessions, flows, warnings: reader.warnings, anomalies, packets, firstTs, lastTs };
}

/** The order of AnalyzeResult.sessions: start time, then flow, then handshake within the flow. */
export function bySessionStart(
  x: Pick<Session, 'start_ts' | 'flow_id' | 'handshake_index'>,
  y: Pick<Session, 'start_ts' | 'flow_id' | 'handshake_index'>,
): number {
  return x.start_ts - y.start_ts || x.flow_id - y.flow_id || x.handshake_index - y.handshake_index;
}
