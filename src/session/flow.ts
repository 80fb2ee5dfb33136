/**
 * The stream consumer that turns one TCP stream into TLS sessions: finds where
 * TLS starts in each direction (by content: any port, STARTTLS, proxies,
 * mid-stream pickup), runs one TLS parser per direction and feeds the events
 * to a HandshakeAssembler; a new plaintext ClientHello after a ServerHello
 * starts the next handshake of the same stream.
 */
import type { Session } from '../core/model.js';
import type { RawParts } from './finalize.js';
import type { Dir, Ts } from '../core/types.js';
import { diffMs } from '../core/time.js';
import type { EndReason, FlowInfo, StreamConsumer } from '../reassembly/types.js';
import { createTlsDirectionParser } from '../tls/parser.js';
import type { At, OpenResult, RecordDecryptor, TlsDirectionParser, TlsEvent } from '../tls/types.js';
import { RecordOpener, trafficKeys } from '../tls/decrypt.js';
import type { KeyLog } from '../tls/keylog.js';
import { classifyPrefix, isClientHelloStart, isRecordHeader, isServerHelloStart, isServerTlsStart, scan } from './detect.js';
import { HandshakeAssembler, addFlowAnomalies, round3, type Side } from './handshake.js';
import { TCP_FIN, TCP_RST } from '../decode/types.js';
import { nullCipherMacLength } from '../registry/index.js';

/** Bytes of plaintext kept per direction while looking for TLS (STARTTLS banners, proxy requests). */
export const DETECT_LIMIT = 16 * 1024;

/** Parser options when the handshake messages' bytes are kept (the terminal UI). */
const KEEP_RAW = { keepRaw: true } as const;

/** Bytes of not-yet-classified plaintext all flows of one analysis may hold together. */
export interface DetectBudget {
  used: number;
  max: number;
}

export function newDetectBudget(max = 64 * 1024 * 1024): DetectBudget {
  return { used: 0, max };
}

const EMPTY = new Uint8Array(0);

type Mode = 'detect' | 'tls' | 'off';

interface DirState {
  mode: Mode;
  buf: Uint8Array;
  len: number;
  /** Offset up to which the buffer has been scanned. */
  scanned: number;
  prefix: Uint8Array | undefined;
  parser: TlsDirectionParser | undefined;
  chunks: number;
  firstChunkSeen: boolean;
}

function newDir(): DirState {
  return { mode: 'detect', buf: EMPTY, len: 0, scanned: 0, prefix: undefined, parser: undefined, chunks: 0, firstChunkSeen: false };
}

export class TlsFlowConsumer implements StreamConsumer {
  private readonly flow: FlowInfo;
  private readonly emit: (s: Session, raw: RawParts) => void;
  private readonly dirs: [DirState, DirState] = [newDir(), newDir()];
  /** Physical direction of the client, once known from a ClientHello (or guessed for mid-stream). */
  private clientDir: Dir | undefined;
  private hs: HandshakeAssembler | undefined;
  private handshakeIndex = 0;
  private prefixInfo: ReturnType<typeof classifyPrefix> | undefined;
  private gapSeen = false;
  private midstreamPickup = false;
  private resetBy: Side | null = null;
  private finBy: Side | null = null;
  private finDirs = 0;
  /** Time of the packet that closed the connection (the second FIN, or the first RST): its sessions end there. */
  private closeTs: Ts | undefined;
  private closedBy: Session['flags']['closed_by'] = null;
  private chSegmentsCounting = false;
  private lastTs: Ts | undefined;
  private ended = false;

  private readonly budget: DetectBudget;
  private readonly keylog: KeyLog | undefined;

  /** Parsers attach each handshake message's bytes (see TlsParserOptions.keepRaw). */
  private readonly keepRaw: boolean;

  constructor(flow: FlowInfo, emit: (s: Session, raw: RawParts) => void, budget: DetectBudget = newDetectBudget(), keylog?: KeyLog, keepRaw = false) {
    this.keepRaw = keepRaw;
    this.flow = flow;
    this.emit = emit;
    this.budget = budget;
    this.keylog = keylog;
  }

  private side(dir: Dir): Side {
    return dir === this.clientDir ? 'client' : 'server';
  }

  data(dir: Dir, chunk: Uint8Array, ts: Ts, packetIndex: number, afterGap: boolean): void {
    this.lastTs = ts;
    const d = this.dirs[dir];
    d.chunks++;
    const at: At = { ts, packetIndex };
    if (d.mode === 'tls') {
      if (this.chSegmentsCounting && dir === this.clientDir && this.hs) this.hs.clientHelloSegments++;
      d.parser?.push(chunk, at);
      return;
    }
    if (d.mode === 'off') return;
    const firstChunk = !d.firstChunkSeen;
    d.firstChunkSeen = true;
    // fast path: the stream starts with a ClientHello (no copy)
    if (d.len === 0 && this.clientDir === undefined && isClientHelloStart(chunk, 0)) {
      this.startClient(dir, chunk, new Uint8Array(0), at);
      return;
    }
    if (this.clientDir !== undefined && dir !== this.clientDir && d.len === 0 &&
        (isServerTlsStart(chunk, 0) || (this.midstreamPickup && isRecordHeader(chunk, 0, true)))) {
      this.startServer(dir, chunk, new Uint8Array(0), at);
      return;
    }
    // the client's ClientHello was lost but the server's TLS was found: pick the client up at a record boundary
    if (this.clientDir === dir && d.len === 0 && (afterGap || firstChunk) && isRecordHeader(chunk, 0, true)) {
      this.startServer(dir, chunk, new Uint8Array(0), at);
      return;
    }
    // mid-stream pickup: the capture began inside a TLS stream, or resumes after a gap
    if (d.len === 0 && this.clientDir === undefined && (afterGap || (firstChunk && this.flow.midstream)) && isRecordHeader(chunk, 0, true)) {
      this.startMidstream(dir, chunk, at);
      return;
    }
    this.append(d, chunk);
    this.detect(dir, at);
  }

  /** Frees a direction's detection buffer and gives its bytes back to the shared budget. */
  private release(d: DirState): void {
    this.budget.used -= d.buf.length;
    d.buf = EMPTY;
  }

  private append(d: DirState, chunk: Uint8Array): void {
    const room = DETECT_LIMIT - d.len;
    const n = Math.min(room, chunk.length);
    if (n <= 0) return;
    if (d.buf.length < d.len + n) {
      const size = Math.min(DETECT_LIMIT, Math.max(d.len + n, d.buf.length * 2, 4096));
      if (this.budget.used + size - d.buf.length > this.budget.max) {
        // every flow together may not hold more than the budget of undecided plaintext:
        // this direction stops being searched for TLS
        this.flow.anomalies.push({ code: 'tls_detect_budget', layer: 'tls', detail: `${this.budget.used} bytes of plaintext already held` });
        d.mode = 'off';
        d.len = 0;
        this.release(d);
        return;
      }
      const nb = new Uint8Array(size);
      nb.set(d.buf.subarray(0, d.len));
      this.budget.used += size - d.buf.length;
      d.buf = nb;
    }
    d.buf.set(chunk.subarray(0, n), d.len);
    d.len += n;
  }

  private detect(dir: Dir, at: At): void {
    const d = this.dirs[dir];
    const view = d.buf.subarray(0, d.len);
    const from = Math.max(0, d.scanned - 16);
    if (this.clientDir === undefined) {
      const o = scan(view, from, isClientHelloStart);
      if (o >= 0) {
        this.startClient(dir, view.subarray(o), view.slice(0, o), at);
        return;
      }
      // no ClientHello (lost or before the capture) but a ServerHello: this side is the server
      const so = scan(view, from, isServerHelloStart);
      if (so >= 0) {
        this.startFromServer(dir, view.subarray(so), view.slice(0, so), at);
        return;
      }
    } else if (dir !== this.clientDir) {
      const o = scan(view, from, isServerTlsStart);
      if (o >= 0) {
        this.startServer(dir, view.subarray(o), view.slice(0, o), at);
        return;
      }
      this.noteServerPlaintext();
    }
    d.scanned = d.len;
    if (d.len >= DETECT_LIMIT) {
      // give up on this direction: not TLS (or TLS too deep into the stream)
      d.mode = 'off';
      this.release(d);
      d.len = 0;
    }
  }

  private newHandshake(): HandshakeAssembler {
    const clientDir = this.clientDir ?? 0;
    const a = clientDir === 0 ? this.flow.a : this.flow.b;
    const b = clientDir === 0 ? this.flow.b : this.flow.a;
    const p = this.prefixInfo;
    return new HandshakeAssembler({
      flowId: this.flow.id,
      handshakeIndex: this.handshakeIndex++,
      transport: this.flow.transport,
      client: a,
      server: b,
      tunnel: this.flow.tunnel,
      starttls: p?.starttls,
      proxy: p?.proxy,
      proxyTarget: p?.proxyTarget,
    });
  }

  private makeParser(dir: Dir): TlsDirectionParser {
    return createTlsDirectionParser((e) => this.onEvent(dir, e), this.keepRaw ? KEEP_RAW : undefined);
  }

  private startClient(dir: Dir, bytes: Uint8Array, prefix: Uint8Array, at: At): void {
    this.clientDir = dir;
    this.flow.setClient(dir);
    const d = this.dirs[dir];
    d.mode = 'tls';
    d.prefix = prefix;
    const other = this.dirs[(1 - dir) as Dir];
    // the server's plaintext so far (STARTTLS banner, proxy reply) is its prefix unless TLS is in it
    const ov = other.buf.subarray(0, other.len);
    let serverPrefix = ov;
    let serverStart = -1;
    if (other.len > 0 && other.mode === 'detect') {
      serverStart = scan(ov, 0, isServerTlsStart);
      if (serverStart >= 0) serverPrefix = ov.subarray(0, serverStart);
    }
    const serverPort = (dir === 0 ? this.flow.b : this.flow.a).port;
    if (prefix.length > 0 || serverPrefix.length > 0) this.prefixInfo = classifyPrefix(prefix, serverPrefix, serverPort);
    d.parser = this.makeParser(dir);
    this.hs = this.newHandshake();
    this.chSegmentsCounting = true;
    this.hs.clientHelloSegments = 1;
    this.release(d);
    d.len = 0;
    d.parser.push(bytes, at);
    if (serverStart >= 0) {
      this.startServer((1 - dir) as Dir, ov.slice(serverStart), ov.slice(0, serverStart), at);
    } else if (other.mode === 'detect') {
      // keep only what arrives from now on: earlier server bytes were its plaintext prefix
      this.release(other);
      other.len = 0;
      other.scanned = 0;
    }
  }

  private startFromServer(dir: Dir, bytes: Uint8Array, prefix: Uint8Array, at: At): void {
    const clientDir = (1 - dir) as Dir;
    this.clientDir = clientDir;
    this.flow.setClient(clientDir);
    this.midstreamPickup = true;
    const c = this.dirs[clientDir];
    const serverPort = (dir === 0 ? this.flow.a : this.flow.b).port;
    const cp = c.buf.slice(0, c.len);
    if (cp.length > 0 || prefix.length > 0) this.prefixInfo = classifyPrefix(cp, prefix, serverPort);
    this.hs = this.newHandshake();
    // the client is picked up at its next record boundary
    this.release(c);
    c.len = 0;
    c.scanned = 0;
    this.startServer(dir, bytes, prefix, at);
  }

  private startServer(dir: Dir, bytes: Uint8Array, prefix: Uint8Array, at: At): void {
    const d = this.dirs[dir];
    d.mode = 'tls';
    d.prefix = prefix;
    d.parser = this.makeParser(dir);
    this.release(d);
    d.len = 0;
    d.parser.push(bytes, at);
  }

  private startMidstream(dir: Dir, chunk: Uint8Array, at: At): void {
    // roles from the TCP handshake or ports; a ClientHello would have been caught above
    this.midstreamPickup = true;
    const clientIsA = this.flow.clientIsA ?? guessClientIsA(this.flow);
    this.clientDir = clientIsA ? 0 : 1;
    this.flow.setClient(this.clientDir);
    this.hs = this.newHandshake();
    const d = this.dirs[dir];
    d.mode = 'tls';
    d.parser = this.makeParser(dir);
    d.parser.push(chunk, at);
    // the other direction is picked up at its next record boundary
    const other = this.dirs[(1 - dir) as Dir];
    if (other.mode === 'detect') {
      this.release(other);
      other.len = 0;
      other.scanned = 0;
      other.firstChunkSeen = false;
    }
  }

  private noteServerPlaintext(): void {
    if (!this.hs || this.hs.serverPlaintext !== undefined || this.clientDir === undefined) return;
    const d = this.dirs[(1 - this.clientDir) as Dir];
    if (d.len < 4) return;
    // one character per byte (Latin-1), made in one piece
    this.hs.serverPlaintext = Buffer.from(d.buf.buffer, d.buf.byteOffset, Math.min(d.len, 128)).toString('latin1');
  }

  private onEvent(dir: Dir, e: TlsEvent): void {
    if (!this.hs) this.hs = this.newHandshake();
    const side = this.side(dir);
    if (side === 'client' && this.hs.startsNewHandshake(e)) {
      this.flush(false);
      this.hs = this.newHandshake();
    }
    const hs = this.hs;
    const wasTls13 = hs.tls13;
    const wasEstablished = hs.established;
    hs.event(side, e);
    if (e.kind === 'handshake' && e.body.type === 'client_hello') this.chSegmentsCounting = false;
    if (!wasTls13 && hs.tls13 && this.clientDir !== undefined) {
      // RFC 8446 2: everything after the ServerHello is encrypted; the client's parser must be told
      this.dirs[this.clientDir].parser?.setEncrypted();
      this.attachDecryptors(hs);
    }
    if (e.kind === 'handshake' && e.body.type === 'server_hello' && !hs.tls13) {
      // a NULL bulk cipher leaves what follows ChangeCipherSpec readable: plaintext + MAC
      const mac = nullCipherMacLength(e.body.hello.cipher_suite);
      if (mac > 0) for (const d of this.dirs) d.parser?.setPlaintextMac(mac);
    }
    if (!wasEstablished && hs.established) {
      for (const d of this.dirs) d.parser?.countOnly();
    }
  }

  /**
   * TLS 1.3 with logged secrets for this ClientHello random: open both sides' handshake records
   * (RFC 8446 7.3 traffic keys; the parsers stop at each side's Finished).
   */
  private attachDecryptors(hs: HandshakeAssembler): void {
    const kl = this.keylog;
    if (!kl || kl.size === 0 || !hs.ch || !hs.sh || this.clientDir === undefined) return;
    const entry = kl.get(hs.ch.random);
    if (!entry) return;
    const suite = hs.sh.cipher_suite;
    const server = entry.SERVER_HANDSHAKE_TRAFFIC_SECRET;
    const client = entry.CLIENT_HANDSHAKE_TRAFFIC_SECRET;
    const serverKeys = server ? trafficKeys(suite, server) : undefined;
    const clientKeys = client ? trafficKeys(suite, client) : undefined;
    if (serverKeys) this.dirs[(1 - this.clientDir) as Dir].parser?.setDecryptor(handshakeDecryptor(new RecordOpener(serverKeys), false));
    // 0-RTT (RFC 8446 4.2.10): records under the early keys come first and do not open with the handshake keys
    if (clientKeys) this.dirs[this.clientDir].parser?.setDecryptor(handshakeDecryptor(new RecordOpener(clientKeys), hs.ch.early_data));
  }

  gap(dir: Dir, bytes: number, ts: Ts): void {
    this.gapSeen = true;
    this.lastTs = ts;
    const d = this.dirs[dir];
    if (d.mode === 'tls') {
      d.parser?.gap(bytes, { ts, packetIndex: -1 });
    } else if (d.mode === 'detect') {
      // plaintext detection restarts after the hole
      this.release(d);
      d.len = 0;
      d.scanned = 0;
    }
  }

  /** The side that sent in direction `dir`, using what is known of the roles so far. */
  private sideOf(dir: Dir): Side {
    if (this.clientDir !== undefined) return this.side(dir);
    const clientIsA = this.flow.clientIsA ?? guessClientIsA(this.flow);
    return (dir === 0) === clientIsA ? 'client' : 'server';
  }

  control(dir: Dir, flags: number, ts: Ts, _packetIndex: number): void {
    this.lastTs = ts;
    // once closed (both FINs, or a reset) the session is settled: what follows (a reset after a clean
    // close, a retransmitted FIN) does not change how it ended
    if (this.closeTs !== undefined) return;
    if ((flags & TCP_RST) !== 0 && this.resetBy === null) this.resetBy = this.sideOf(dir);
    if ((flags & TCP_FIN) !== 0) {
      if (this.finBy === null) this.finBy = this.sideOf(dir);
      this.finDirs |= 1 << dir;
    }
    // The connection is over (reset, or FINs both ways): its sessions end here. The reassembler ends
    // this consumer right after the packet that closed the flow (or, when data before a FIN is still
    // missing, once that hole is given up), so the data carried by the closing segments is delivered
    // first and `export --format ndjson` streams the session as the connection closes.
    if ((flags & TCP_RST) !== 0 || this.finDirs === 3) {
      this.closeTs = ts;
    }
  }

  end(reason: EndReason, ts: Ts): void {
    if (this.ended) return;
    this.ended = true;
    this.lastTs = ts;
    // what the packets showed wins over how the reassembler retired the flow
    if (this.resetBy !== null) this.closedBy = 'rst';
    else if (this.finBy !== null) this.closedBy = 'fin';
    else this.closedBy = reason === 'reused' ? 'fin' : reason;
    if (this.hs) {
      if (this.clientDir !== undefined && this.hs.serverPlaintext === undefined) this.noteServerPlaintext();
      this.flush(true);
    }
    for (const d of this.dirs) {
      this.release(d);
      d.len = 0;
      d.parser = undefined;
      d.mode = 'off';
    }
  }

  private flush(final: boolean): void {
    const hs = this.hs;
    if (!hs) return;
    this.hs = undefined;
    const f = this.flow;
    let tcpRttMs: number | null = null;
    if (f.synTs && f.handshakeAckTs) tcpRttMs = round3(diffMs(f.synTs, f.handshakeAckTs));
    else if (f.synTs && f.synAckTs) tcpRttMs = null;
    const s = hs.toSession({
      tcpRttMs: hs.ctx.handshakeIndex === 0 ? tcpRttMs : null,
      fallbackTs: this.lastTs ?? f.firstTs,
      flags: {
        midstream: f.midstream || this.midstreamPickup || hs.ch === undefined,
        gap: this.gapSeen,
        truncated: f.truncated,
        client_hello_seen: hs.ch !== undefined,
        server_hello_seen: hs.sh !== undefined || hs.hrr !== undefined,
        closed_by: final ? this.closedBy : null,
        reset_by: final ? this.resetBy : null,
        fin_by: final ? this.finBy : null,
      },
      // a closed connection's sessions end at the closing packet: the ACKs after it do not count, so the
      // time does not depend on how many of them were read before the close was processed
      lastTs: final ? (this.closeTs ?? f.lastTs) : undefined,
    });
    // flow-level anomalies belong to every session of the flow
    addFlowAnomalies(s, f.anomalies);
    this.emit(s, { serverCerts: hs.serverCerts, clientCerts: hs.clientCerts, ocsp: hs.ocsp });
  }
}

/** A parser decryptor over one opener; with `earlyData`, records that do not open before the first one that does are skipped. */
function handshakeDecryptor(opener: RecordOpener, earlyData: boolean): RecordDecryptor {
  return {
    open(header: Uint8Array, body: Uint8Array): OpenResult {
      const r = opener.open(header, body);
      if (r === undefined && earlyData && opener.seq === 0) return 'skip';
      return r;
    },
  };
}

/** Port heuristic when no SYN and no ClientHello tell the roles: the lower (well-known) port is the server. */
export function guessClientIsA(f: FlowInfo): boolean {
  return f.a.port > f.b.port;
}
