/**
 * TCP stream reassembly and UDP conversation tracking (modelled on gopacket's
 * reassembly package).
 *
 * - IPv4 flows are keyed by numbers (addresses as uint32, ports, protocol)
 *   in an open-addressing hash table, so the hot path formats no text and
 *   allocates nothing; other flows by a canonical 5-tuple string in a Map.
 *   A is the sender of the first packet seen, direction 0 = A->B.
 * - Per direction, sequence numbers are turned into 64-bit-safe offsets
 *   (doubles) relative to the first sequence number, using signed 32-bit
 *   modular differences, so wraparound is invisible past that point.
 * - In-order data is handed to the consumer as the very view it arrived in
 *   (no copy); out-of-order data is copied into a sorted, non-overlapping
 *   list. Overlaps: the first copy wins.
 * - Holes are reported as gaps (`consumer.gap`) when the data cannot wait
 *   any longer: buffer caps, peer ACK past the hole, FIN/RST, flow end.
 * - A TCP flow closed both ways (both FINs consumed) or reset keeps being
 *   counted for the closed timeout (trailing ACKs belong to the same
 *   conversation), but its consumer is ended and released as soon as the
 *   packet that closed it is done: the flow becomes a tombstone whose bytes
 *   go nowhere and whose counters still move (see release()).
 *
 * Never throws on hostile input (consumer exceptions propagate), never loops
 * on anything but the bounded buffers, and never buffers more than the
 * configured limits.
 */
import type { Anomaly, Dir, Endpoint, Ts } from '../core/types.js';
import { parseIpv4Text } from '../decode/addr.js';
import type { Segment } from '../decode/types.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/types.js';
import type {
  DirStats,
  EndReason,
  FlowInfo,
  ReassemblyLimits,
  StreamConsumer,
  StreamFactory,
  Transport,
} from './types.js';

export const DEFAULT_LIMITS: ReassemblyLimits = {
  perDirectionBuffer: 4 * 1024 * 1024,
  totalBuffer: 128 * 1024 * 1024,
  idleTimeoutSec: 300,
  maxFlows: 50_000,
};
/** Idle timeout for TCP flows that have seen a FIN or a RST. */
export const DEFAULT_CLOSED_TIMEOUT_SEC = 4;
/** Idle timeout for UDP conversations. */
export const DEFAULT_UDP_TIMEOUT_SEC = 60;
/** Idle expiry runs at most once every this many segments... */
const EXPIRE_EVERY = 1024;
/** ...and only when capture time advanced by at least this much since the last run. */
const EXPIRE_MIN_STEP_SEC = 1;
/** Segments further than this from the expected sequence number are ignored. */
const MAX_WINDOW = 2 ** 30;
/** Packets of the flow to wait, after an out-of-order FIN, before the hole before it is declared a gap. */
const FIN_GRACE = 5;
/** Bytes of delivered data remembered per direction to check retransmissions against. */
const TAIL = 16;
/** Memory charged per buffered out-of-order run on top of its bytes (object, typed array and backing store headers). */
export const SEGMENT_OVERHEAD = 256;

export interface ReassemblerOptions {
  limits?: Partial<ReassemblyLimits>;
  onFlowEnd?: (flow: FlowInfo) => void;
  /** Idle timeout of TCP flows that saw FIN or RST (default 30 s, never more than idleTimeoutSec). */
  closedTimeoutSec?: number;
  /** Idle timeout of UDP conversations (default 60 s). */
  udpTimeoutSec?: number;
}

/** Global counters (not per flow). */
export interface ReassemblerCounters {
  segments: number;
  tcpSegments: number;
  udpDatagrams: number;
  tcpFlows: number;
  udpFlows: number;
  /** TCP keep-alives (0 or 1 byte at next-seq - 1): not data, not anomalies. */
  keepAlives: number;
  /** Zero-window probes (1 byte while the peer advertises a zero window). */
  zeroWindowProbes: number;
  /** Flows ended by port reuse (new SYN). */
  reused: number;
  /** Flows ended by idle expiry. */
  expired: number;
  /** Flows evicted because maxFlows was reached. */
  evicted: number;
  /**
   * Memory charged for out-of-order data currently buffered, all flows: the
   * payload bytes plus SEGMENT_OVERHEAD per buffered run (so a flood of tiny
   * segments cannot pin unbounded memory in object headers). This is what the
   * perDirectionBuffer / totalBuffer caps limit.
   */
  bufferedBytes: number;
  /** High-water mark of bufferedBytes. */
  peakBufferedBytes: number;
}

function newDirStats(): DirStats {
  return {
    packets: 0,
    bytes: 0,
    reassembled: 0,
    gaps: 0,
    gapBytes: 0,
    retransmissions: 0,
    outOfOrder: 0,
    synSeen: false,
    finSeen: false,
    rstSeen: false,
  };
}

/** The public face of a flow. */
class Flow implements FlowInfo {
  id: number;
  transport: Transport;
  a: Endpoint;
  b: Endpoint;
  clientIsA: boolean | undefined = undefined;
  roleSource: 'syn' | 'synack' | 'consumer' | 'port' | undefined = undefined;
  firstTs: Ts;
  lastTs: Ts;
  firstPacket: number;
  stats: [DirStats, DirStats] = [newDirStats(), newDirStats()];
  midstream = false;
  truncated = false;
  tunnel: string | undefined;
  anomalies: Anomaly[] = [];
  synTs?: Ts;
  synAckTs?: Ts;
  handshakeAckTs?: Ts;

  constructor(id: number, transport: Transport, seg: Segment) {
    this.id = id;
    this.transport = transport;
    this.a = { ip: seg.srcIp, port: seg.srcPort };
    this.b = { ip: seg.dstIp, port: seg.dstPort };
    this.firstTs = { sec: seg.tsSec, nsec: seg.tsNsec };
    this.lastTs = { sec: seg.tsSec, nsec: seg.tsNsec };
    this.firstPacket = seg.packetIndex;
    this.tunnel = seg.tunnel;
  }

  setClient(dir: Dir): void {
    const isA = dir === 0;
    if (this.clientIsA === isA && (this.roleSource === 'syn' || this.roleSource === 'synack')) return;
    this.clientIsA = isA;
    this.roleSource = 'consumer';
  }
}

/** One out-of-order run of bytes [off, off + data.length), plus `miss` known-lost bytes after it. */
interface BufSeg {
  off: number;
  end: number;
  data: Uint8Array;
  miss: number;
  ts: Ts;
  pkt: number;
}

class DirState {
  /** Sequence space known (SYN or first data seen). */
  started = false;
  /** Sequence number at offset 0 (first data byte). */
  baseSeq = 0;
  /** Next expected offset (bytes delivered or skipped, + 1 after FIN). */
  nextOff = 0;
  synIsn = -1;
  buf: BufSeg[] = NO_BUF;
  buffered = 0;
  afterGap = false;
  /** Offset of the FIN (the sequence number it occupies), -1 while none. */
  finOff = -1;
  finDone = false;
  finGrace = 0;
  /** This direction's last advertised window was zero. */
  winZero = false;
  /** Offset of this direction's TAIL bytes in the reassembler's tail pool, -1 while none. */
  tailOff = -1;
  tailLen = 0;
}

/** Shared empty out-of-order list: a direction gets an array of its own on its first insert (never mutate this one). */
const NO_BUF: BufSeg[] = [];

/**
 * The direction state of every light tombstone (a flow released after a
 * reset): done, nothing buffered. Shared, so never written (light
 * tombstones skip tcp()).
 */
const DEAD = new DirState();
DEAD.started = true;
DEAD.finOff = 0;
DEAD.finDone = true;

/** What a released (tombstoned) flow delivers to: nothing. */
const TOMBSTONE: StreamConsumer = { data() {}, gap() {}, end() {} };

class Conn {
  /** String key (flows not keyed by IPv4 numbers), '' for IPv4 ones. */
  key: string;
  info: Flow;
  consumer: StreamConsumer | undefined;
  proto: 6 | 17;
  /** Address text, for flows keyed by string ('' for IPv4-keyed ones: see info.a / info.b). */
  aIp: string;
  aPort: number;
  bIp: string;
  bPort: number;
  /** IPv4 addresses as uint32 (flows in the numeric table), -1 otherwise. */
  a4: number;
  b4: number;
  /** Slot pair in the tail pool (byte offset of direction 0's tail), -1 while none. */
  tailSlot = -1;
  /** The consumer has been ended and replaced by TOMBSTONE. */
  released = false;
  /** Queued for release. */
  closing = false;
  /** SYN sequence numbers of both directions (-1: none), kept when released (port reuse detection). */
  isn0 = -1;
  isn1 = -1;
  d0 = new DirState();
  d1 = new DirState();
  /** Capture time of the last packet, in seconds. */
  lastSeen: number;
  closed = false;
  rst = false;
  dead = false;
  finPending = false;
  synAckDir = -1;
  prev: Conn | undefined = undefined;
  next: Conn | undefined = undefined;

  constructor(key: string, info: Flow, seg: Segment, t: number, s4: number, d4: number) {
    this.key = key;
    this.info = info;
    this.consumer = undefined;
    this.proto = seg.proto;
    this.aIp = s4 >= 0 ? '' : info.a.ip;
    this.aPort = seg.srcPort;
    this.bIp = s4 >= 0 ? '' : info.b.ip;
    this.bPort = seg.dstPort;
    this.a4 = s4;
    this.b4 = d4;
    this.lastSeen = t;
  }
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Open-addressing (linear probing, backward-shift deletion) table of the
 * IPv4 flows, keyed by the canonical (lower address, higher address,
 * ports, protocol): four uint32 per slot, protocol 0 = empty.
 */
class V4Table {
  private keys: Uint32Array;
  private vals: (Conn | undefined)[];
  private mask: number;
  size = 0;

  constructor(cap = 1024) {
    this.keys = new Uint32Array(cap * 4);
    this.vals = new Array<Conn | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  private static hash(lo: number, hi: number, ports: number, proto: number): number {
    return mix(Math.imul(lo, 0x9e3779b1) ^ mix(hi + Math.imul(ports, 0x27d4eb2f)) ^ proto);
  }

  get(lo: number, hi: number, ports: number, proto: number): Conn | undefined {
    const keys = this.keys;
    const mask = this.mask;
    let i = V4Table.hash(lo, hi, ports, proto) & mask;
    for (;;) {
      const k = i << 2;
      const p = keys[k + 3]!;
      if (p === 0) return undefined;
      if (p === proto && keys[k] === lo && keys[k + 1] === hi && keys[k + 2] === ports) return this.vals[i];
      i = (i + 1) & mask;
    }
  }

  /** Insert or replace. */
  set(lo: number, hi: number, ports: number, proto: number, c: Conn): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const keys = this.keys;
    const mask = this.mask;
    let i = V4Table.hash(lo, hi, ports, proto) & mask;
    for (;;) {
      const k = i << 2;
      const p = keys[k + 3]!;
      if (p === 0) {
        keys[k] = lo;
        keys[k + 1] = hi;
        keys[k + 2] = ports;
        keys[k + 3] = proto;
        this.vals[i] = c;
        this.size++;
        return;
      }
      if (p === proto && keys[k] === lo && keys[k + 1] === hi && keys[k + 2] === ports) {
        this.vals[i] = c;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Remove the entry of `c`'s key if it holds `c`. */
  deleteConn(lo: number, hi: number, ports: number, proto: number, c: Conn): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = V4Table.hash(lo, hi, ports, proto) & mask;
    for (;;) {
      const k = i << 2;
      const p = keys[k + 3]!;
      if (p === 0) return;
      if (p === proto && keys[k] === lo && keys[k + 1] === hi && keys[k + 2] === ports) break;
      i = (i + 1) & mask;
    }
    if (vals[i] !== c) return;
    // backward-shift deletion
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const kj = j << 2;
      if (keys[kj + 3] === 0) break;
      const home = V4Table.hash(keys[kj]!, keys[kj + 1]!, keys[kj + 2]!, keys[kj + 3]!) & mask;
      // move j to i when its home is not in (i, j] (cyclically)
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        const ki = i << 2;
        keys[ki] = keys[kj]!;
        keys[ki + 1] = keys[kj + 1]!;
        keys[ki + 2] = keys[kj + 2]!;
        keys[ki + 3] = keys[kj + 3]!;
        vals[i] = vals[j];
        i = j;
      }
    }
    const ki = i << 2;
    keys[ki] = keys[ki + 1] = keys[ki + 2] = keys[ki + 3] = 0;
    vals[i] = undefined;
    this.size--;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const cap = (this.mask + 1) * 2;
    this.keys = new Uint32Array(cap * 4);
    this.vals = new Array<Conn | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < oldVals.length; i++) {
      const c = oldVals[i];
      const k = i << 2;
      if (c !== undefined) this.set(oldKeys[k]!, oldKeys[k + 1]!, oldKeys[k + 2]!, oldKeys[k + 3]!, c);
    }
  }

  values(): Conn[] {
    const out: Conn[] = [];
    for (const c of this.vals) if (c !== undefined) out.push(c);
    return out;
  }
}

/** Canonical numeric key parts of an IPv4 flow: [lower address, higher address, ports]. */
function v4Lo(s4: number, sp: number, d4: number, dp: number): boolean {
  return s4 < d4 || (s4 === d4 && sp <= dp);
}

function flowKey(seg: Segment): string {
  const s = seg.srcIp;
  const d = seg.dstIp;
  if (s < d || (s === d && seg.srcPort <= seg.dstPort)) {
    return `${seg.proto}|${s}|${seg.srcPort}|${d}|${seg.dstPort}`;
  }
  return `${seg.proto}|${d}|${seg.dstPort}|${s}|${seg.srcPort}`;
}

function sameBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

/** Next expected sequence number of a direction (uint32). */
function nextSeq(ds: DirState): number {
  return (ds.baseSeq + ds.nextOff) >>> 0;
}

export class Reassembler {
  private readonly factory: StreamFactory;
  private readonly limits: ReassemblyLimits;
  private readonly onFlowEnd: ((flow: FlowInfo) => void) | undefined;
  private readonly closedTimeout: number;
  private readonly udpTimeout: number;
  private readonly flows = new Map<string, Conn>();
  private readonly t4 = new V4Table();
  /** TAIL bytes of both directions of each flow that delivered data: 2 * TAIL bytes per slot. */
  private tailPool = new Uint8Array(256 * 2 * TAIL);
  private tailFree: number[] = [];
  private tailUsed = 0;
  /** Flows closed both ways or reset by the current packet, released once it is done. */
  private closing: Conn[] = [];
  private head: Conn | undefined = undefined;
  private tail: Conn | undefined = undefined;
  private last: Conn | undefined = undefined;
  private nextId = 0;
  private now = -Infinity;
  private lastExpire = -Infinity;
  private total = 0;
  readonly counters: ReassemblerCounters = {
    segments: 0,
    tcpSegments: 0,
    udpDatagrams: 0,
    tcpFlows: 0,
    udpFlows: 0,
    keepAlives: 0,
    zeroWindowProbes: 0,
    reused: 0,
    expired: 0,
    evicted: 0,
    bufferedBytes: 0,
    peakBufferedBytes: 0,
  };

  constructor(factory: StreamFactory, opts?: ReassemblerOptions) {
    this.factory = factory;
    const l = opts?.limits ?? {};
    const pos = (v: number | undefined, d: number): number => (typeof v === 'number' && v >= 0 && !Number.isNaN(v) ? v : d);
    this.limits = {
      perDirectionBuffer: pos(l.perDirectionBuffer, DEFAULT_LIMITS.perDirectionBuffer),
      totalBuffer: pos(l.totalBuffer, DEFAULT_LIMITS.totalBuffer),
      idleTimeoutSec: pos(l.idleTimeoutSec, DEFAULT_LIMITS.idleTimeoutSec),
      maxFlows: Math.max(1, Math.floor(pos(l.maxFlows, DEFAULT_LIMITS.maxFlows))),
    };
    this.onFlowEnd = opts?.onFlowEnd;
    this.closedTimeout = Math.min(this.limits.idleTimeoutSec, pos(opts?.closedTimeoutSec, DEFAULT_CLOSED_TIMEOUT_SEC));
    this.udpTimeout = pos(opts?.udpTimeoutSec, DEFAULT_UDP_TIMEOUT_SEC);
  }

  get liveFlows(): number {
    return this.flows.size + this.t4.size;
  }

  // ---------------------------------------------------------------- input

  segment(seg: Segment): void {
    const counters = this.counters;
    counters.segments++;
    const tsSec = seg.tsSec;
    const tsNsec = seg.tsNsec;
    let t = tsSec + tsNsec * 1e-9;
    if (!(t === t)) t = this.now; // NaN: keep the clock where it is
    if (t > this.now) this.now = t;
    if ((counters.segments & (EXPIRE_EVERY - 1)) === 0 && this.now - this.lastExpire >= EXPIRE_MIN_STEP_SEC) {
      this.expire();
    }

    const proto = seg.proto;
    if (proto !== 6 && proto !== 17) return;

    // IPv4 addresses as numbers (decoder segments carry them; others are parsed), -1 for the string-keyed path.
    const sp = seg.srcPort;
    const dp = seg.dstPort;
    let s4 = seg.srcAddr4;
    let d4 = seg.dstAddr4;
    if (s4 === undefined || d4 === undefined) {
      if (seg.ipVersion !== 6) {
        s4 = parseIpv4Text(seg.srcIp);
        d4 = parseIpv4Text(seg.dstIp);
      } else s4 = d4 = -1;
    }
    if (s4 < 0 || d4 < 0 || (sp & 0xffff) !== sp || (dp & 0xffff) !== dp) s4 = d4 = -1;

    // Flow lookup: the previous packet's flow first (bulk transfers), then the table.
    let c = this.last;
    let dir: Dir;
    if (s4 >= 0) {
      if (c !== undefined && c.proto === proto && c.aPort === sp && c.bPort === dp && c.a4 === s4 && c.b4 === d4) {
        dir = 0;
      } else if (c !== undefined && c.proto === proto && c.aPort === dp && c.bPort === sp && c.a4 === d4 && c.b4 === s4) {
        dir = 1;
      } else {
        c = v4Lo(s4, sp, d4, dp) ? this.t4.get(s4, d4, sp * 65536 + dp, proto) : this.t4.get(d4, s4, dp * 65536 + sp, proto);
        if (c === undefined) {
          c = this.create(seg, t, s4, d4);
          dir = 0;
        } else {
          dir = c.aPort === sp && c.a4 === s4 ? 0 : 1;
        }
      }
    } else {
      const srcIp = seg.srcIp;
      const dstIp = seg.dstIp;
      if (c !== undefined && c.a4 < 0 && c.proto === proto && c.aPort === sp && c.bPort === dp && c.aIp === srcIp && c.bIp === dstIp) {
        dir = 0;
      } else if (c !== undefined && c.a4 < 0 && c.proto === proto && c.aPort === dp && c.bPort === sp && c.aIp === dstIp && c.bIp === srcIp) {
        dir = 1;
      } else {
        const key = flowKey(seg);
        c = this.flows.get(key);
        if (c === undefined) {
          c = this.create(seg, t, -1, -1, key);
          dir = 0;
        } else {
          dir = c.aPort === sp && c.aIp === srcIp ? 0 : 1;
        }
      }
    }

    if (proto === 6) {
      const flags = seg.flags | 0;
      // Port reuse: a new SYN (not a retransmission) on an old flow.
      if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && this.isReuse(c, dir, seg.seq >>> 0)) {
        counters.reused++;
        this.endConn(c, 'reused');
        c = this.create(seg, t, s4, d4, c.key);
        dir = 0;
      }
      this.last = c;
      this.touch(c, seg, t);
      counters.tcpSegments++;
      if (c.d0 === DEAD) this.tombTcp(c, dir, seg, flags);
      else {
        this.tcp(c, dir, seg, flags);
        // closed both ways or reset by this packet: a tombstone from the next packet on
        if (this.closing.length > 0) this.release();
      }
    } else {
      this.last = c;
      this.touch(c, seg, t);
      counters.udpDatagrams++;
      this.udp(c, dir, seg);
    }
  }

  /** End every live flow (reason 'eof'; 'fin'/'rst' for TCP flows already closed), oldest first. */
  finish(): void {
    // oldest first (creation order = id order)
    const all = [...this.flows.values(), ...this.t4.values()];
    let lo = Infinity;
    for (const c of all) if (c.info.id < lo) lo = c.info.id;
    if (all.length > 0 && this.nextId - lo <= 4 * all.length) {
      // ids are unique: place by id
      const byId = new Array<Conn | undefined>(this.nextId - lo).fill(undefined);
      for (const c of all) byId[c.info.id - lo] = c;
      for (const c of byId) if (c !== undefined) this.endConn(c, this.reasonOf(c, 'eof'));
    } else {
      all.sort((x, y) => x.info.id - y.info.id);
      for (const c of all) this.endConn(c, this.reasonOf(c, 'eof'));
    }
    this.last = undefined;
    this.closing.length = 0;
  }

  // ---------------------------------------------------------------- flow table

  private create(seg: Segment, t: number, s4: number, d4: number, key = ''): Conn {
    while (this.liveFlows >= this.limits.maxFlows && this.head !== undefined) {
      const victim = this.head;
      this.counters.evicted++;
      this.anomaly(victim, 'flow_evicted', seg.packetIndex, undefined);
      this.endConn(victim, this.reasonOf(victim, 'idle'));
    }
    const transport: Transport = seg.proto === 6 ? 'tcp' : 'udp';
    const info = new Flow(this.nextId++, transport, seg);
    const c = new Conn(s4 >= 0 ? '' : key || flowKey(seg), info, seg, t, s4, d4);
    if (transport === 'udp') {
      this.counters.udpFlows++;
      // Roles by the port heuristic until a consumer says otherwise.
      info.clientIsA = seg.srcPort > seg.dstPort || seg.srcPort === seg.dstPort;
      info.roleSource = 'port';
    } else {
      this.counters.tcpFlows++;
    }
    if (s4 >= 0) {
      const sp = seg.srcPort;
      const dp = seg.dstPort;
      if (v4Lo(s4, sp, d4, dp)) this.t4.set(s4, d4, sp * 65536 + dp, seg.proto, c);
      else this.t4.set(d4, s4, dp * 65536 + sp, seg.proto, c);
    } else this.flows.set(c.key, c);
    // append to LRU
    c.prev = this.tail;
    if (this.tail !== undefined) this.tail.next = c;
    else this.head = c;
    this.tail = c;
    c.consumer = this.factory(info);
    return c;
  }

  private touch(c: Conn, seg: Segment, t: number): void {
    if (t >= c.lastSeen) {
      c.lastSeen = t;
      const lt = c.info.lastTs;
      lt.sec = seg.tsSec;
      lt.nsec = seg.tsNsec;
    }
    if (c !== this.tail) {
      // move to the LRU tail
      const p = c.prev;
      const n = c.next;
      if (p !== undefined) p.next = n;
      else this.head = n;
      if (n !== undefined) n.prev = p;
      c.prev = this.tail;
      c.next = undefined;
      if (this.tail !== undefined) this.tail.next = c;
      this.tail = c;
    }
  }

  private unlink(c: Conn): void {
    const p = c.prev;
    const n = c.next;
    if (p !== undefined) p.next = n;
    else if (this.head === c) this.head = n;
    if (n !== undefined) n.prev = p;
    else if (this.tail === c) this.tail = p;
    c.prev = c.next = undefined;
  }

  private timeoutOf(c: Conn): number {
    if (c.proto === 17) return this.udpTimeout;
    return c.closed || c.rst ? this.closedTimeout : this.limits.idleTimeoutSec;
  }

  private reasonOf(c: Conn, dflt: EndReason): EndReason {
    if (c.proto === 6) {
      if (c.rst) return 'rst';
      if (c.d0.finOff >= 0 && c.d1.finOff >= 0) return 'fin';
      if (dflt === 'idle' && c.closed) return 'fin';
    }
    return dflt;
  }

  private expire(): void {
    const now = this.now;
    this.lastExpire = now;
    const minTimeout = Math.min(this.limits.idleTimeoutSec, this.closedTimeout, this.udpTimeout);
    let c = this.head;
    while (c !== undefined && now - c.lastSeen >= minTimeout) {
      const next = c.next;
      if (now - c.lastSeen >= this.timeoutOf(c)) {
        this.counters.expired++;
        this.endConn(c, this.reasonOf(c, 'idle'));
      }
      c = next;
    }
  }

  private endConn(c: Conn, reason: EndReason): void {
    if (c.dead) return;
    c.dead = true;
    const f = c.info;
    if (c.consumer !== undefined && c.proto === 6) {
      const ts: Ts = { sec: f.lastTs.sec, nsec: f.lastTs.nsec };
      this.flushAll(c, 0, c.d0, ts);
      this.flushAll(c, 1, c.d1, ts);
    }
    this.dropBuffers(c);
    if (f.clientIsA === undefined) {
      f.clientIsA = f.a.port > f.b.port || f.a.port === f.b.port;
      f.roleSource = 'port';
    }
    if (c.a4 >= 0) {
      const ap = c.aPort;
      const bp = c.bPort;
      if (v4Lo(c.a4, ap, c.b4, bp)) this.t4.deleteConn(c.a4, c.b4, ap * 65536 + bp, c.proto, c);
      else this.t4.deleteConn(c.b4, c.a4, bp * 65536 + ap, c.proto, c);
    } else if (this.flows.get(c.key) === c) this.flows.delete(c.key);
    this.unlink(c);
    this.freeTail(c);
    if (this.last === c) this.last = undefined;
    if (c.consumer !== undefined && !c.released) c.consumer.end(reason, { sec: f.lastTs.sec, nsec: f.lastTs.nsec });
    c.consumer = undefined;
    if (this.onFlowEnd !== undefined) this.onFlowEnd(f);
  }

  private dropBuffers(c: Conn): void {
    this.dropDir(c.d0);
    this.dropDir(c.d1);
    this.counters.bufferedBytes = this.total;
  }

  private dropDir(ds: DirState): void {
    if (ds.buffered > 0) {
      this.total -= ds.buffered;
      ds.buffered = 0;
    }
    ds.buf = NO_BUF;
  }

  /** A TCP flow closed both ways or reset: its consumer is released once the current packet is done. */
  private queueClose(c: Conn): void {
    c.closing = true;
    this.closing.push(c);
  }

  /**
   * End and drop the consumers of the flows queued by queueClose, right after
   * the packet that closed them (so what a session reports never depends on
   * where the capture's read chunks fall). The flow stays in the table as a
   * tombstone that counts trailing packets until the closed timeout, then
   * onFlowEnd. Closed both ways by FINs, it keeps its sequence state (two
   * direction records and 32 tail bytes, nothing buffered: every byte up to
   * both FINs was delivered), so later retransmissions, keep-alives, data
   * after the FIN and retransmitted bytes that differ are still recognised;
   * reset, it becomes a light tombstone (see tombTcp).
   */
  private release(): void {
    const list = this.closing;
    this.closing = [];
    for (const c of list) {
      if (c.dead || c.released || c.consumer === undefined) continue;
      const f = c.info;
      const ts: Ts = { sec: f.lastTs.sec, nsec: f.lastTs.nsec };
      this.flushAll(c, 0, c.d0, ts);
      this.flushAll(c, 1, c.d1, ts);
      const cons = c.consumer;
      const reason = this.reasonOf(c, 'eof');
      c.consumer = TOMBSTONE;
      c.released = true;
      c.isn0 = c.d0.synIsn;
      c.isn1 = c.d1.synIsn;
      this.dropBuffers(c);
      if (c.rst || !c.d0.finDone || !c.d1.finDone) {
        // Light tombstone: only the FlowInfo and the key stay (see tombTcp).
        this.freeTail(c);
        c.d0 = DEAD;
        c.d1 = DEAD;
        c.finPending = false;
      }
      cons.end(reason, ts);
    }
  }

  /** Byte offset of `c`'s tail slot in the pool (allocated on first use). */
  private tailSlot(c: Conn): number {
    if (c.tailSlot >= 0) return c.tailSlot;
    let slot = this.tailFree.pop();
    if (slot === undefined) {
      slot = this.tailUsed;
      this.tailUsed += 2 * TAIL;
      if (this.tailUsed > this.tailPool.length) {
        const np = new Uint8Array(this.tailPool.length * 2);
        np.set(this.tailPool);
        this.tailPool = np;
      }
    }
    c.tailSlot = slot;
    return slot;
  }

  private freeTail(c: Conn): void {
    if (c.tailSlot >= 0) {
      this.tailFree.push(c.tailSlot);
      c.tailSlot = -1;
      c.d0.tailLen = c.d1.tailLen = 0;
      c.d0.tailOff = c.d1.tailOff = -1;
    }
  }

  private anomaly(c: Conn, code: string, packetIndex: number | undefined, detail: string | undefined): void {
    const list = c.info.anomalies;
    for (let i = 0; i < list.length; i++) if (list[i]!.code === code) return;
    const a: Anomaly = { code, layer: c.proto === 6 ? 'tcp' : 'udp' };
    if (packetIndex !== undefined && packetIndex >= 0) a.packetIndex = packetIndex;
    if (detail !== undefined) a.detail = detail;
    list.push(a);
  }

  // ---------------------------------------------------------------- UDP

  private udp(c: Conn, dir: Dir, seg: Segment): void {
    const f = c.info;
    const st = f.stats[dir];
    const len = seg.payload.length;
    st.packets++;
    st.bytes += len;
    if (seg.missing > 0) {
      f.truncated = true;
      this.anomaly(c, 'udp_truncated_datagram', seg.packetIndex, `${seg.missing} bytes not captured`);
    }
    const cons = c.consumer;
    if (cons !== undefined) {
      st.reassembled += len;
      if (cons.datagram !== undefined) cons.datagram(dir, seg.payload, { sec: seg.tsSec, nsec: seg.tsNsec }, seg.packetIndex);
    }
  }

  // ---------------------------------------------------------------- TCP

  private isReuse(c: Conn, dir: Dir, seq: number): boolean {
    if (c.proto !== 6) return false;
    if (c.released) {
      const isn = dir === 0 ? c.isn0 : c.isn1;
      return !(isn >= 0 && isn === seq);
    }
    const ds = dir === 0 ? c.d0 : c.d1;
    const other = dir === 0 ? c.d1 : c.d0;
    if (c.closed || c.rst) return !(ds.synIsn >= 0 && ds.synIsn === seq);
    if (ds.synIsn >= 0) return ds.synIsn !== seq;
    if (ds.started) return ((seq + 1) >>> 0) !== ds.baseSeq;
    return other.started && other.synIsn < 0;
  }

  /**
   * A packet of a light tombstone (a flow released after a reset, consumer
   * ended): counted (packets, bytes, flags, the per-packet anomalies),
   * nothing delivered; retransmission / keep-alive counters no longer move.
   */
  private tombTcp(c: Conn, dir: Dir, seg: Segment, flags: number): void {
    const f = c.info;
    const st = f.stats[dir];
    const len = seg.payload.length;
    const pkt = seg.packetIndex;
    st.packets++;
    st.bytes += len;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const miss = seg.missing > 0 && seg.missing < 2 ** 32 ? Math.floor(seg.missing) : 0;
    if ((syn && (fin || rst)) || (flags & 0x3f) === 0) {
      this.anomaly(c, 'tcp_invalid_flags', pkt, `flags 0x${flags.toString(16)}`);
    }
    if (miss > 0) {
      f.truncated = true;
      this.anomaly(c, 'tcp_truncated_segment', pkt, `${miss} bytes not captured`);
    }
    if (syn) st.synSeen = true;
    if (fin) st.finSeen = true;
    if (rst) {
      st.rstSeen = true;
      c.rst = true;
      if (len > 0) this.anomaly(c, 'tcp_rst_with_data', pkt, undefined);
    }
  }

  private tcp(c: Conn, dir: Dir, seg: Segment, flags: number): void {
    const f = c.info;
    const st = f.stats[dir];
    const payload = seg.payload;
    const len = payload.length;
    const pkt = seg.packetIndex;
    st.packets++;
    st.bytes += len;
    const syn = (flags & TCP_SYN) !== 0;
    const fin = (flags & TCP_FIN) !== 0;
    const rst = (flags & TCP_RST) !== 0;
    const ack = (flags & TCP_ACK) !== 0;
    const seq = seg.seq >>> 0;
    const miss = seg.missing > 0 && seg.missing < 2 ** 32 ? Math.floor(seg.missing) : 0;
    const cons = c.consumer;
    const ds = dir === 0 ? c.d0 : c.d1;
    const peer = dir === 0 ? c.d1 : c.d0;

    if ((syn && (fin || rst)) || (flags & 0x3f) === 0) {
      this.anomaly(c, 'tcp_invalid_flags', pkt, `flags 0x${flags.toString(16)}`);
    }
    if (miss > 0) {
      f.truncated = true;
      this.anomaly(c, 'tcp_truncated_segment', pkt, `${miss} bytes not captured`);
    }

    let ts: Ts | undefined;
    if (syn || fin || rst) {
      ts = { sec: seg.tsSec, nsec: seg.tsNsec };
      if (syn) {
        st.synSeen = true;
        if (!ack) {
          if (f.synTs === undefined) f.synTs = ts;
          if (f.roleSource !== 'consumer') {
            f.clientIsA = dir === 0;
            f.roleSource = 'syn';
          }
        } else {
          if (f.synAckTs === undefined) {
            f.synAckTs = ts;
            c.synAckDir = dir;
          }
          if (f.roleSource === undefined || f.roleSource === 'port') {
            f.clientIsA = dir === 1;
            f.roleSource = 'synack';
          }
        }
      }
      if (fin) {
        st.finSeen = true;
        c.closed = true;
      }
      if (rst) {
        st.rstSeen = true;
        c.rst = true;
        if (len > 0) this.anomaly(c, 'tcp_rst_with_data', pkt, undefined);
      }
      if (cons !== undefined && cons.control !== undefined) cons.control(dir, flags, ts, pkt);
    } else if (ack && f.synAckTs !== undefined && f.handshakeAckTs === undefined && dir !== c.synAckDir) {
      f.handshakeAckTs = { sec: seg.tsSec, nsec: seg.tsNsec };
    }

    // Direction sequence space.
    const dataSeq = syn ? (seq + 1) >>> 0 : seq;
    if (syn && ds.synIsn < 0) ds.synIsn = seq;
    if (!ds.started && (syn || len > 0 || miss > 0 || fin)) {
      ds.started = true;
      ds.baseSeq = dataSeq;
      ds.nextOff = 0;
      if (!syn) f.midstream = true;
    }

    if (cons === undefined) return; // count only

    if (ack && !syn && !rst) ds.winZero = seg.window === 0;

    if (rst) {
      // The connection is aborted: nothing will fill the holes any more.
      if (ts === undefined) ts = { sec: seg.tsSec, nsec: seg.tsNsec };
      this.flushAll(c, 0, c.d0, ts);
      this.flushAll(c, 1, c.d1, ts);
      if (!c.closing && !c.released) this.queueClose(c);
      return;
    }

    if (ds.started) {
      if (len > 0 || miss > 0 || fin) {
        if (ts === undefined) ts = { sec: seg.tsSec, nsec: seg.tsNsec };
        this.data(c, dir, ds, peer, dataSeq, payload, len, miss, fin, syn, ts, pkt);
      } else if (!syn && ((dataSeq - nextSeq(ds)) | 0) === -1) {
        this.counters.keepAlives++;
      }
    }

    // The peer acknowledged bytes we have not seen: the hole was really sent, stop waiting.
    if (ack && peer.started && (peer.buf.length > 0 || (peer.finOff > peer.nextOff && !peer.finDone))) {
      const ackOff = peer.nextOff + (((seg.ack >>> 0) - nextSeq(peer)) | 0);
      let guard = peer.buf.length + 2;
      if (ts === undefined) ts = { sec: seg.tsSec, nsec: seg.tsNsec };
      while (ackOff > peer.nextOff && guard-- > 0 && (peer.buf.length > 0 || (peer.finOff > peer.nextOff && !peer.finDone))) {
        this.flushHole(c, dir === 0 ? 1 : 0, peer, ts);
      }
    }

    if (c.finPending) this.finGrace(c, ts ?? { sec: seg.tsSec, nsec: seg.tsNsec });
    if (c.closed && c.d0.finDone && c.d1.finDone && !c.closing && !c.released) this.queueClose(c);
  }

  private finGrace(c: Conn, ts: Ts): void {
    let pending = false;
    for (let d = 0; d < 2; d++) {
      const ds = d === 0 ? c.d0 : c.d1;
      if (ds.finGrace > 0) {
        if (ds.finDone) ds.finGrace = 0;
        else if (--ds.finGrace === 0) this.flushAll(c, d as Dir, ds, ts);
        else pending = true;
      }
    }
    c.finPending = pending;
  }

  private data(
    c: Conn,
    dir: Dir,
    ds: DirState,
    peer: DirState,
    dataSeq: number,
    payload: Uint8Array,
    len: number,
    miss: number,
    fin: boolean,
    syn: boolean,
    ts: Ts,
    pkt: number,
  ): void {
    const st = c.info.stats[dir];
    const nextOff = ds.nextOff;
    const off = nextOff + ((dataSeq - nextSeq(ds)) | 0);
    let end = off + len;
    let missEnd = end + miss;

    if (off - nextOff > MAX_WINDOW || nextOff - off > MAX_WINDOW) {
      this.anomaly(c, 'tcp_seq_out_of_window', pkt, `seq ${dataSeq >>> 0}, expected ${nextSeq(ds)}`);
      return;
    }

    if (fin) {
      if (ds.finOff < 0) {
        ds.finOff = missEnd;
        // Buffered data beyond the FIN is dropped.
        this.trimAfterFin(c, ds, pkt);
      } else if (ds.finOff !== missEnd) {
        this.anomaly(c, 'tcp_fin_mismatch', pkt, undefined);
      }
    }
    if (ds.finOff >= 0 && missEnd > ds.finOff) {
      if (end > ds.finOff && end > nextOff) this.anomaly(c, 'tcp_data_after_fin', pkt, undefined);
      if (end > ds.finOff) {
        end = Math.max(off, ds.finOff);
        len = end - off;
      }
      missEnd = Math.max(end, Math.min(missEnd, ds.finOff));
    }

    if (off <= nextOff) {
      if (missEnd <= nextOff) {
        // Entirely old: keep-alive, probe repeat or retransmission.
        if (len > 0 || miss > 0) {
          if (len === 1 && miss === 0 && !fin && !syn && off === nextOff - 1) {
            if (peer.winZero) this.counters.zeroWindowProbes++;
            else this.counters.keepAlives++;
          } else {
            st.retransmissions++;
            if (len > 0) this.checkTail(c, ds, payload, off, end, pkt);
          }
        }
      } else {
        if (off < nextOff) {
          st.retransmissions++;
          this.checkTail(c, ds, payload, off, Math.min(end, nextOff), pkt);
        }
        if (end > nextOff) {
          const head = ds.buf[0];
          if (head !== undefined && head.off < end) {
            // Overlaps data already buffered ahead: let the buffer sort it out (first copy wins).
            this.insert(c, ds, nextOff, payload.subarray(nextOff - off, len), missEnd - end, ts, pkt, false);
          } else {
            if (len === 1 && off === nextOff && peer.winZero) this.counters.zeroWindowProbes++;
            const chunk = off === nextOff && len === payload.length ? payload : payload.subarray(nextOff - off, len);
            this.deliver(c, dir, ds, chunk, ts, pkt);
            if (missEnd > end) this.skipMissing(c, dir, ds, missEnd, ts);
          }
        } else if (missEnd > nextOff) {
          this.skipMissing(c, dir, ds, missEnd, ts);
        }
        this.drain(c, dir, ds);
      }
    } else if (len > 0) {
      // Ahead of the expected offset: copy into the buffer.
      if (this.insert(c, ds, off, payload.subarray(0, len), miss, ts, pkt, true) > 0) st.outOfOrder++;
      this.enforceCaps(c, dir, ds, ts);
    }

    this.checkFin(c, dir, ds);
    if (ds.finOff >= 0 && !ds.finDone && ds.finGrace === 0 && fin) {
      ds.finGrace = FIN_GRACE;
      c.finPending = true;
    }
  }

  /** Compare retransmitted bytes [off, end) with the remembered tail of delivered data. */
  private checkTail(c: Conn, ds: DirState, payload: Uint8Array, off: number, end: number, pkt: number): void {
    if (ds.tailOff < 0 || ds.tailLen === 0) return;
    // the tail ends where the delivered bytes end: a consumed FIN takes one more offset (checkFin)
    const tEnd = ds.finDone ? ds.finOff : ds.nextOff;
    const tStart = tEnd - ds.tailLen;
    const a = Math.max(off, tStart);
    const b = Math.min(end, tEnd);
    if (a >= b) return;
    if (!sameBytes(payload, a - off, this.tailPool, ds.tailOff + a - tStart, b - a)) {
      this.anomaly(c, 'tcp_overlap_mismatch', pkt, `retransmitted bytes differ at stream offset ${a}`);
    }
  }

  private deliver(c: Conn, dir: Dir, ds: DirState, chunk: Uint8Array, ts: Ts, pkt: number): void {
    const n = chunk.length;
    if (n === 0) return;
    const afterGap = ds.afterGap;
    ds.afterGap = false;
    ds.nextOff += n;
    c.info.stats[dir].reassembled += n;
    // remember the last TAIL bytes
    let t0 = ds.tailOff;
    if (t0 < 0) t0 = ds.tailOff = this.tailSlot(c) + (dir === 0 ? 0 : TAIL);
    const tail = this.tailPool;
    if (n >= TAIL) {
      for (let i = t0, j = n - TAIL; j < n; i++, j++) tail[i] = chunk[j]!;
      ds.tailLen = TAIL;
    } else {
      const keep = Math.min(ds.tailLen, TAIL - n);
      tail.copyWithin(t0, t0 + ds.tailLen - keep, t0 + ds.tailLen);
      for (let i = 0; i < n; i++) tail[t0 + keep + i] = chunk[i]!;
      ds.tailLen = keep + n;
    }
    c.consumer!.data(dir, chunk, ts, pkt, afterGap);
  }

  private gap(c: Conn, dir: Dir, ds: DirState, bytes: number, ts: Ts): void {
    if (bytes <= 0) return;
    const st = c.info.stats[dir];
    st.gaps++;
    st.gapBytes += bytes;
    ds.nextOff += bytes;
    ds.afterGap = true;
    ds.tailLen = 0;
    c.consumer!.gap(dir, bytes, ts);
  }

  /** After a truncated segment: the missing bytes up to `missEnd` (or the next known data) are a gap. */
  private skipMissing(c: Conn, dir: Dir, ds: DirState, missEnd: number, ts: Ts): void {
    let to = missEnd;
    const head = ds.buf[0];
    if (head !== undefined && head.off < to) to = head.off;
    if (to > ds.nextOff) this.gap(c, dir, ds, to - ds.nextOff, ts);
  }

  /** Deliver buffered data that became contiguous. */
  private drain(c: Conn, dir: Dir, ds: DirState): void {
    const buf = ds.buf;
    let head = buf[0];
    while (head !== undefined && head.off <= ds.nextOff) {
      buf.shift();
      const n = head.data.length;
      ds.buffered -= n + SEGMENT_OVERHEAD;
      this.total -= n + SEGMENT_OVERHEAD;
      if (head.end > ds.nextOff) {
        const chunk = head.off < ds.nextOff ? head.data.subarray(ds.nextOff - head.off) : head.data;
        this.deliver(c, dir, ds, chunk, head.ts, head.pkt);
      }
      if (head.miss > 0) this.skipMissing(c, dir, ds, head.end + head.miss, head.ts);
      head = buf[0];
    }
    this.counters.bufferedBytes = this.total;
  }

  /** FIN reached: consume its sequence number. */
  private checkFin(c: Conn, dir: Dir, ds: DirState): void {
    if (ds.finOff >= 0 && !ds.finDone && ds.nextOff >= ds.finOff) {
      ds.finDone = true;
      ds.finGrace = 0;
      ds.nextOff = ds.finOff + 1;
      if (ds.buf.length > 0) this.trimAfterFin(c, ds, undefined);
    }
  }

  /** Drop buffered bytes at or beyond the FIN offset. */
  private trimAfterFin(c: Conn, ds: DirState, pkt: number | undefined): void {
    const finOff = ds.finOff;
    const buf = ds.buf;
    let dropped = 0;
    while (buf.length > 0) {
      const e = buf[buf.length - 1]!;
      if (e.end <= finOff) {
        if (e.end + e.miss > finOff) e.miss = finOff - e.end;
        break;
      }
      if (e.off >= finOff) {
        buf.pop();
        dropped += e.data.length + SEGMENT_OVERHEAD;
      } else {
        const keep = finOff - e.off;
        dropped += e.data.length - keep;
        e.data = e.data.subarray(0, keep);
        e.end = finOff;
        e.miss = 0;
        break;
      }
    }
    if (dropped > 0) {
      ds.buffered -= dropped;
      this.total -= dropped;
      this.counters.bufferedBytes = this.total;
      this.anomaly(c, 'tcp_data_after_fin', pkt, undefined);
    }
  }

  /** Give up on the first hole of a direction: report it as a gap and deliver what follows. */
  private flushHole(c: Conn, dir: Dir, ds: DirState, ts: Ts): void {
    const head = ds.buf[0];
    if (head !== undefined) {
      if (head.off > ds.nextOff) {
        this.anomaly(c, 'tcp_missing_data', head.pkt, undefined);
        this.gap(c, dir, ds, head.off - ds.nextOff, ts);
      }
      this.drain(c, dir, ds);
    } else if (ds.finOff > ds.nextOff && !ds.finDone) {
      this.anomaly(c, 'tcp_missing_data', undefined, undefined);
      this.gap(c, dir, ds, ds.finOff - ds.nextOff, ts);
    }
    this.checkFin(c, dir, ds);
  }

  private flushAll(c: Conn, dir: Dir, ds: DirState, ts: Ts): void {
    let guard = ds.buf.length + 2;
    while (guard-- > 0 && (ds.buf.length > 0 || (ds.finOff > ds.nextOff && !ds.finDone && ds.started))) {
      this.flushHole(c, dir, ds, ts);
    }
  }

  private enforceCaps(c: Conn, dir: Dir, ds: DirState, ts: Ts): void {
    const limits = this.limits;
    if (ds.buffered > limits.perDirectionBuffer) {
      this.anomaly(c, 'tcp_buffer_overflow', ds.buf[0]?.pkt, 'per-direction buffer cap');
      let guard = ds.buf.length + 1;
      while (ds.buffered > limits.perDirectionBuffer && guard-- > 0) this.flushHole(c, dir, ds, ts);
    }
    if (this.total > limits.totalBuffer) {
      // The least recently seen flows first (a bounded look), then this direction
      // (which alone brings the total back under the cap: it holds the segment that crossed it).
      let o = this.head;
      let look = 64;
      while (o !== undefined && this.total > limits.totalBuffer && look-- > 0) {
        for (let d = 0; d < 2 && this.total > limits.totalBuffer; d++) {
          const ods = d === 0 ? o.d0 : o.d1;
          if (ods.buffered > 0 && o.consumer !== undefined) {
            this.anomaly(o, 'tcp_buffer_overflow', ods.buf[0]?.pkt, 'global buffer cap');
            this.flushAll(o, d as Dir, ods, ts);
          }
        }
        o = o.next;
      }
      if (this.total > limits.totalBuffer && ds.buffered > 0) {
        this.anomaly(c, 'tcp_buffer_overflow', ds.buf[0]?.pkt, 'global buffer cap');
        this.flushAll(c, dir, ds, ts);
      }
    }
  }

  /**
   * Copy [off, off + data.length) into the sorted, non-overlapping buffer;
   * bytes already buffered are kept (first copy wins) and compared.
   * `miss` known-lost bytes follow the data.
   */
  private insert(c: Conn, ds: DirState, off: number, data: Uint8Array, miss: number, ts: Ts, pkt: number, countRetrans: boolean): number {
    let buf = ds.buf;
    if (buf === NO_BUF) buf = ds.buf = [];
    const end = off + data.length;
    // first entry whose end > off
    let lo = 0;
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (buf[mid]!.end <= off) lo = mid + 1;
      else hi = mid;
    }
    let i = lo;
    let cur = off;
    let added = 0;
    let pieces = 0;
    let overlapped = false;
    let lastEntry: BufSeg | undefined;
    while (cur < end) {
      const e = buf[i];
      if (e === undefined || e.off >= end) {
        lastEntry = { off: cur, end, data: data.slice(cur - off), miss: 0, ts, pkt };
        buf.splice(i, 0, lastEntry);
        added += end - cur;
        pieces++;
        cur = end;
        break;
      }
      if (e.off > cur) {
        const piece: BufSeg = { off: cur, end: e.off, data: data.slice(cur - off, e.off - off), miss: 0, ts, pkt };
        buf.splice(i, 0, piece);
        added += e.off - cur;
        pieces++;
        i++;
        cur = e.off;
      }
      const oe = Math.min(end, e.end);
      overlapped = true;
      if (!sameBytes(data, cur - off, e.data, cur - e.off, oe - cur)) {
        this.anomaly(c, 'tcp_overlap_mismatch', pkt, `overlapping bytes differ at stream offset ${cur}`);
      }
      if (oe === end && e.end === end) lastEntry = e;
      cur = oe;
      i++;
    }
    if (miss > 0 && lastEntry !== undefined && lastEntry.end === end && lastEntry.miss < miss) lastEntry.miss = miss;
    if (overlapped && countRetrans) c.info.stats[c.d0 === ds ? 0 : 1].retransmissions++;
    const cost = added + pieces * SEGMENT_OVERHEAD;
    ds.buffered += cost;
    this.total += cost;
    this.counters.bufferedBytes = this.total;
    if (this.total > this.counters.peakBufferedBytes) this.counters.peakBufferedBytes = this.total;
    return added;
  }
}
