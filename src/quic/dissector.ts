/**
 * One UDP flow's QUIC connection as TLS events.
 *
 * Readable: Initial packets (keys from the client's first Destination
 * Connection ID, RFC 9001 5.2), whose CRYPTO frames carry the ClientHello
 * (client) and the ServerHello (server), and CONNECTION_CLOSE frames (a TLS
 * alert is error code 0x0100 + alert, RFC 9001 4.8). Handshake, 0-RTT and
 * 1-RTT packets are encrypted with keys a passive observer does not have:
 * they are counted.
 *
 * Events given to the HandshakeAssembler (which sees a TLS 1.3 handshake):
 *   - each packet: a 'record' (content type 22 for Initial/Handshake, 23 for
 *     0-RTT/1-RTT, length = bytes after the packet number offset);
 *   - ClientHello/ServerHello: 'handshake' events (no record version);
 *   - the server's Handshake packets and 1-RTT packets before the handshake is
 *     complete: 'application_data' (the assembler's TLS 1.3 encrypted handshake);
 *   - established: when the client has sent a Handshake packet (its Finished
 *     travels in one) after the server's Handshake packets and then a 1-RTT
 *     (short header) packet, which it can only protect once it has processed
 *     the server's Finished. At that point one 'application_data' event stands
 *     for the client's Finished (length = bytes of the client's Handshake
 *     packets), the assembler marks the session established, and 1-RTT
 *     packets from then on count as application data.
 * A client Initial that opens only with keys from a new Destination
 * Connection ID, after a ServerHello and without a Retry, is a new connection
 * on the same 5-tuple: a new session.
 */
import type { Dir } from '../core/types.js';
import type { At } from '../tls/types.js';
import type { UdpHost } from '../session/udp.js';
import { decodeClientHello } from '../tls/client_hello.js';
import { decodeServerHello } from '../tls/server_hello.js';
import { initialSecrets, isSupportedVersion, type InitialSecrets } from './crypto.js';
import { CRYPTO_CAP, CryptoStream } from './crypto_stream.js';
import { MAX_RANGES } from '../core/range-buffer.js';
import { openLongPacket, parseFrames, parseLongHeader, type LongHeader } from './packet.js';

/** Cheap test: a long header with the fixed bit, a version we can open, an Initial type and a plausible DCID. */
export function looksLikeQuicInitial(d: Uint8Array): boolean {
  if (d.length < 7 + 8 + 16) return false;
  const b0 = d[0]!;
  if ((b0 & 0xc0) !== 0xc0) return false;
  const v = ((d[1]! << 24) >>> 0) + (d[2]! << 16) + (d[3]! << 8) + d[4]!;
  if (!isSupportedVersion(v)) return false;
  const t = (b0 >> 4) & 3;
  if (t !== (v === 0x6b3343cf ? 1 : 0)) return false;
  const dl = d[5]!;
  return dl >= 8 && dl <= 20;
}

type SideIdx = 0 | 1; // 0 client, 1 server

function eq(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class QuicDissector {
  private readonly host: UdpHost;
  private clientDir: Dir | undefined;
  private version = 0;
  private dcid: Uint8Array | undefined;
  private secrets: InitialSecrets | undefined;
  private largest: [number, number] = [-1, -1];
  private streams: [CryptoStream, CryptoStream];
  private chSeen = false;
  private shSeen = false;
  private clientHs = false;
  private serverHs = false;
  private clientHsBytes = 0;
  private retrySeen = false;
  private undecryptable: [number, number] = [0, 0];

  constructor(host: UdpHost) {
    this.host = host;
    this.streams = this.newStreams();
  }

  private newStreams(): [CryptoStream, CryptoStream] {
    const p = this.host.pieces;
    return [new CryptoStream(CRYPTO_CAP, MAX_RANGES, p), new CryptoStream(CRYPTO_CAP, MAX_RANGES, p)];
  }

  close(): void {
    this.release();
  }

  /** Opens the first datagram as a client Initial; false (and nothing done) when it does not decrypt. */
  tryStart(dir: Dir, d: Uint8Array, at: At): boolean {
    const h = parseLongHeader(d, 0);
    if (!h || h.type !== 'initial') return false;
    const sec = initialSecrets(h.version, h.dcid);
    if (!sec) return false;
    const opened = openLongPacket(d, h, sec.client, -1);
    if (!opened) return false;
    this.begin(dir, h, sec);
    this.datagram(dir, d, at);
    return true;
  }

  private begin(dir: Dir, h: LongHeader, sec: InitialSecrets): void {
    this.clientDir = dir;
    this.version = h.version;
    this.dcid = h.dcid.slice();
    this.secrets = sec;
    this.host.setClient(dir);
  }

  private reset(): void {
    this.largest = [-1, -1];
    this.release();
    this.streams = this.newStreams();
    this.chSeen = this.shSeen = this.clientHs = this.serverHs = this.retrySeen = false;
    this.clientHsBytes = 0;
    this.undecryptable = [0, 0];
  }

  datagram(dir: Dir, d: Uint8Array, at: At): void {
    if (this.clientDir === undefined) return;
    const side: SideIdx = dir === this.clientDir ? 0 : 1;
    let off = 0;
    let chBefore = this.chSeen;
    let carriedCh = false;
    for (let guard = 0; off < d.length && guard < 16; guard++) {
      const b0 = d[off]!;
      if ((b0 & 0x80) === 0) {
        if (b0 !== 0) this.shortPacket(dir, side, d.length - off, at);
        break;
      }
      const h = parseLongHeader(d, off);
      if (!h) break;
      if (h.type === 'initial' && side === 0 && !this.chSeen) carriedCh = true;
      if (this.longPacket(dir, side, d, h, at) === 'restarted') {
        chBefore = false;
        carriedCh = true;
      }
      off = h.end;
    }
    if (carriedCh && !chBefore) this.host.hs.clientHelloSegments++;
  }

  private record(dir: Dir, contentType: number, length: number, at: At): void {
    this.host.event(dir, { kind: 'record', contentType, version: this.version & 0xffff, length, at });
  }

  private shortPacket(dir: Dir, side: SideIdx, length: number, at: At): void {
    const hs = this.host.hs;
    if (!hs.established) {
      if (side === 0 && this.clientHs && this.serverHs) {
        // the client's Finished went out in its Handshake packets: the handshake is complete
        this.host.event(dir, { kind: 'application_data', length: Math.max(this.clientHsBytes, 64), at });
        this.release();
      } else if (side === 1) {
        this.record(dir, 23, length, at);
        this.host.event(dir, { kind: 'application_data', length, at });
        return;
      }
    }
    this.record(dir, 23, length, at);
  }

  private release(): void {
    this.streams[0].release();
    this.streams[1].release();
  }

  private longPacket(dir: Dir, side: SideIdx, d: Uint8Array, h: LongHeader, at: At): 'restarted' | undefined {
    const length = h.end - Math.max(h.pnOffset, h.start);
    let restarted: 'restarted' | undefined;
    switch (h.type) {
      case 'initial': {
        if (h.version !== this.version || !this.secrets) {
          this.record(dir, 22, length, at);
          return undefined;
        }
        let keys = side === 0 ? this.secrets.client : this.secrets.server;
        let opened = this.host.hs.established && side === 1 ? undefined : openLongPacket(d, h, keys, this.largest[side]);
        if (!opened && side === 0 && !eq(h.dcid, this.dcid)) {
          // Retry (RFC 9000 17.2.5: keys from the new DCID) or a new connection on the same 5-tuple
          const sec = initialSecrets(h.version, h.dcid);
          const o2 = sec ? openLongPacket(d, h, sec.client, -1) : undefined;
          if (sec && o2) {
            if (this.shSeen && !this.retrySeen) {
              this.host.restart();
              this.reset();
              restarted = 'restarted';
            }
            this.secrets = sec;
            this.dcid = h.dcid.slice();
            keys = sec.client;
            opened = o2;
          }
        }
        this.record(dir, 22, length, at);
        if (!opened) {
          if (!this.host.hs.established && this.undecryptable[side]++ === 0) {
            this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'quic_initial_undecryptable', layer: 'session', packetIndex: at.packetIndex, detail: `${side === 0 ? 'client' : 'server'} Initial packet did not decrypt with the initial keys` } });
          }
          return restarted;
        }
        if (opened.pn > this.largest[side]) this.largest[side] = opened.pn;
        this.frames(dir, side, opened.payload, at);
        return restarted;
      }
      case 'handshake':
        this.record(dir, 22, length, at);
        if (side === 1) {
          this.serverHs = true;
          if (!this.host.hs.established) this.host.event(dir, { kind: 'application_data', length, at });
        } else if (this.serverHs || this.shSeen) {
          this.clientHs = true;
          this.clientHsBytes += length;
        }
        return undefined;
      case '0rtt':
        this.record(dir, 23, length, at);
        return undefined;
      case 'retry':
        if (side === 1) this.retrySeen = true;
        this.record(dir, 22, h.end - h.start, at);
        return undefined;
    }
  }

  private frames(dir: Dir, side: SideIdx, payload: Uint8Array, at: At): void {
    const { frames, malformed } = parseFrames(payload);
    if (malformed) {
      this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'quic_malformed_frame', layer: 'session', packetIndex: at.packetIndex, detail: 'a frame in an Initial packet did not parse' } });
    }
    const st = this.streams[side];
    let added = false;
    for (const f of frames) {
      if (f.type === 'crypto') {
        const wasFragmented = st.tooFragmented;
        if (st.add(f.offset, f.data)) added = true;
        if (st.tooFragmented && !wasFragmented) {
          this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'quic_crypto_too_fragmented', layer: 'session', packetIndex: at.packetIndex, detail: `the CRYPTO stream came in more than ${MAX_RANGES} separate pieces; reassembly abandoned` } });
        }
      } else if (f.type === 'connection_close') {
        if (!f.application && f.errorCode >= 0x100 && f.errorCode <= 0x1ff) {
          this.host.event(dir, { kind: 'alert', level: 2, description: f.errorCode - 0x100, encrypted: false, at });
        } else {
          this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'quic_connection_close', layer: 'session', packetIndex: at.packetIndex, detail: `${f.application ? 'application' : 'transport'} error 0x${f.errorCode.toString(16)}${f.reason ? `: ${f.reason.slice(0, 64)}` : ''}` } });
        }
      }
    }
    if (!added) return;
    for (const m of st.takeMessages()) this.message(dir, side, m.type, m.body, at);
    if (st.overflow && st.dropped > 0) {
      this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'quic_crypto_overflow', layer: 'session', packetIndex: at.packetIndex, detail: 'CRYPTO data beyond the reassembly limit was dropped' } });
    }
  }

  private message(dir: Dir, side: SideIdx, type: number, body: Uint8Array, at: At): void {
    if (type === 1 && side === 0) {
      const d = decodeClientHello(body);
      this.chSeen = true;
      const hello = d.value;
      this.host.event(dir, { kind: 'handshake', msgType: 1, length: body.length, body: { type: 'client_hello', hello }, recordVersion: 0, at });
      delete hello.record_version; // QUIC has no record layer
      this.problems(dir, d.problems, at);
    } else if (type === 2 && side === 1) {
      const d = decodeServerHello(body);
      if (!d.value.hello_retry_request) this.shSeen = true;
      this.host.event(dir, { kind: 'handshake', msgType: 2, length: body.length, body: { type: 'server_hello', hello: d.value }, recordVersion: 0, at });
      this.problems(dir, d.problems, at);
    } else {
      this.host.event(dir, { kind: 'handshake', msgType: type, length: body.length, body: { type: 'other', msgType: type, length: body.length }, recordVersion: 0, at });
    }
  }

  private problems(dir: Dir, ps: Array<{ code: string; detail?: string }>, at: At): void {
    for (const p of ps) {
      const a: { code: string; layer: 'tls'; packetIndex: number; detail?: string } = { code: p.code, layer: 'tls', packetIndex: at.packetIndex };
      if (p.detail !== undefined) a.detail = p.detail;
      this.host.event(dir, { kind: 'anomaly', anomaly: a });
    }
  }
}
