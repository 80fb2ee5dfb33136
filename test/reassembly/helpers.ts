import type { Dir, Ts } from '../../src/core/types.js';
import { TCP_ACK } from '../../src/decode/types.js';
import type { Segment } from '../../src/decode/types.js';
import { Reassembler, type ReassemblerOptions } from '../../src/reassembly/reassembler.js';
import type { EndReason, FlowInfo, StreamConsumer } from '../../src/reassembly/types.js';

export const CLIENT = { ip: '10.0.0.1', port: 51000 };
export const SERVER = { ip: '10.0.0.2', port: 443 };

export interface SegInit extends Partial<Segment> {
  /** shorthand: true = client -> server (default), false = server -> client */
  c2s?: boolean;
  /** capture time in seconds (float) */
  t?: number;
  data?: Uint8Array | string;
}

let pktCounter = 0;

export function seg(init: SegInit = {}): Segment {
  const c2s = init.c2s ?? true;
  const src = c2s ? CLIENT : SERVER;
  const dst = c2s ? SERVER : CLIENT;
  const t = init.t ?? 1000;
  const data = typeof init.data === 'string' ? new TextEncoder().encode(init.data) : (init.data ?? new Uint8Array(0));
  return {
    packetIndex: init.packetIndex ?? pktCounter++,
    tsSec: init.tsSec ?? Math.floor(t),
    tsNsec: init.tsNsec ?? Math.round((t - Math.floor(t)) * 1e9),
    proto: init.proto ?? 6,
    ipVersion: init.ipVersion ?? 4,
    srcIp: init.srcIp ?? src.ip,
    dstIp: init.dstIp ?? dst.ip,
    srcPort: init.srcPort ?? src.port,
    dstPort: init.dstPort ?? dst.port,
    seq: (init.seq ?? 0) >>> 0,
    ack: (init.ack ?? 0) >>> 0,
    flags: init.flags ?? TCP_ACK,
    window: init.window ?? 65535,
    tcpOptions: undefined,
    payload: init.payload ?? data,
    missing: init.missing ?? 0,
    tunnel: init.tunnel,
    depth: init.depth ?? 0,
    vlans: init.vlans ?? [],
  };
}

export type Ev =
  | { k: 'data'; dir: Dir; bytes: Uint8Array; pkt: number; afterGap: boolean; ts: Ts }
  | { k: 'gap'; dir: Dir; bytes: number }
  | { k: 'dgram'; dir: Dir; bytes: Uint8Array; pkt: number }
  | { k: 'control'; dir: Dir; flags: number; pkt: number }
  | { k: 'end'; reason: EndReason };

export class Recorder implements StreamConsumer {
  events: Ev[] = [];
  constructor(readonly flow: FlowInfo) {}
  data(dir: Dir, chunk: Uint8Array, ts: Ts, packetIndex: number, afterGap: boolean): void {
    this.events.push({ k: 'data', dir, bytes: chunk.slice(), pkt: packetIndex, afterGap, ts: { ...ts } });
  }
  gap(dir: Dir, bytes: number): void {
    this.events.push({ k: 'gap', dir, bytes });
  }
  datagram(dir: Dir, payload: Uint8Array, _ts: Ts, packetIndex: number): void {
    this.events.push({ k: 'dgram', dir, bytes: payload.slice(), pkt: packetIndex });
  }
  control(dir: Dir, flags: number, _ts: Ts, packetIndex: number): void {
    this.events.push({ k: 'control', dir, flags, pkt: packetIndex });
  }
  end(reason: EndReason): void {
    this.events.push({ k: 'end', reason });
  }
  /** All bytes delivered in one direction, concatenated. */
  bytes(dir: Dir): Uint8Array {
    const parts = this.events.filter((e): e is Extract<Ev, { k: 'data' }> => e.k === 'data' && e.dir === dir);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.bytes.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p.bytes, o);
      o += p.bytes.length;
    }
    return out;
  }
  text(dir: Dir): string {
    return new TextDecoder().decode(this.bytes(dir));
  }
  gaps(dir: Dir): number[] {
    return this.events.filter((e): e is Extract<Ev, { k: 'gap' }> => e.k === 'gap' && e.dir === dir).map((e) => e.bytes);
  }
  ends(): EndReason[] {
    return this.events.filter((e): e is Extract<Ev, { k: 'end' }> => e.k === 'end').map((e) => e.reason);
  }
}

export interface Harness {
  r: Reassembler;
  recs: Recorder[];
  ended: FlowInfo[];
  /** Recorder of the n-th flow created. */
  rec(n?: number): Recorder;
}

export function harness(opts: ReassemblerOptions & { noConsumer?: boolean } = {}): Harness {
  const recs: Recorder[] = [];
  const ended: FlowInfo[] = [];
  const r = new Reassembler(
    (flow) => {
      const rec = new Recorder(flow);
      recs.push(rec);
      return opts.noConsumer ? undefined : rec;
    },
    { ...opts, onFlowEnd: (f) => ended.push(f) },
  );
  return {
    r,
    recs,
    ended,
    rec(n = 0) {
      const x = recs[n];
      if (x === undefined) throw new Error(`no flow #${n}`);
      return x;
    },
  };
}

export function codes(f: FlowInfo): string[] {
  return f.anomalies.map((a) => a.code);
}

export function bytesOf(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
