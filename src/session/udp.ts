/**
 * The stream consumer for UDP flows: TLS over UDP, that is DTLS (RFC 6347,
 * RFC 9147) and QUIC (RFC 9000/9001, v2 RFC 9369, draft-29). Each datagram is
 * looked at (a few byte comparisons) until one starts DTLS (a plaintext
 * ClientHello/ServerHello/HelloVerifyRequest record) or QUIC (a client
 * Initial packet that decrypts); the dissector found then gets every
 * datagram of the flow and feeds TLS events to a HandshakeAssembler, like
 * TlsFlowConsumer does for TCP. Flows where nothing is found within
 * DETECT_DATAGRAMS datagrams are ignored from then on (DNS, DHCP, RTP...).
 */
import type { Session } from '../core/model.js';
import type { Dir, Ts } from '../core/types.js';
import type { RawParts } from './finalize.js';
import type { EndReason, FlowInfo, StreamConsumer } from '../reassembly/types.js';
import type { At, TlsEvent } from '../tls/types.js';
import { HandshakeAssembler, addFlowAnomalies, type Side } from './handshake.js';
import type { PieceBudget } from '../core/range-buffer.js';
import { QuicDissector, looksLikeQuicInitial } from '../quic/dissector.js';
import { DtlsDissector, looksLikeDtlsStart } from '../dtls/dissector.js';

/** Datagrams looked at (both directions together) before a flow is given up as not TLS. */
export const DETECT_DATAGRAMS = 64;

/** What a UDP dissector may ask of its consumer. */
export interface UdpHost {
  /** One TLS event sent in physical direction `dir`. */
  event(dir: Dir, e: TlsEvent): void;
  /** The ClientHello (or equivalent) was sent in direction `dir`. */
  setClient(dir: Dir): void;
  /** The current handshake is finished with; the next events belong to a new session of the same flow. */
  restart(): void;
  /** The current handshake's assembler (created on demand). */
  readonly hs: HandshakeAssembler;
  /** Reassembly pieces shared by every UDP flow of the analysis (none: no global cap). */
  readonly pieces: PieceBudget | undefined;
}

export interface UdpDissector {
  datagram(dir: Dir, payload: Uint8Array, at: At): void;
  /** The flow ended: give back what reassembly holds (the shared piece budget). */
  close(): void;
}

export class UdpTlsConsumer implements StreamConsumer, UdpHost {
  private readonly flow: FlowInfo;
  private readonly emit: (s: Session, raw: RawParts) => void;
  private mode: 'detect' | 'quic' | 'dtls' | 'off' = 'detect';
  private looked = 0;
  private dissector: UdpDissector | undefined;
  private clientDir: Dir | undefined;
  private current: HandshakeAssembler | undefined;
  private handshakeIndex = 0;
  private lastTs: Ts | undefined;
  private ended = false;

  readonly pieces: PieceBudget | undefined;

  constructor(flow: FlowInfo, emit: (s: Session, raw: RawParts) => void, pieces?: PieceBudget) {
    this.flow = flow;
    this.emit = emit;
    this.pieces = pieces;
  }

  get hs(): HandshakeAssembler {
    if (!this.current) this.current = this.newHandshake();
    return this.current;
  }

  data(): void {}
  gap(): void {}

  datagram(dir: Dir, payload: Uint8Array, ts: Ts, packetIndex: number): void {
    if (this.mode === 'off') return;
    this.lastTs = ts;
    if (this.mode === 'detect') {
      if (looksLikeQuicInitial(payload)) {
        const q = new QuicDissector(this);
        if (q.tryStart(dir, payload, { ts, packetIndex })) {
          this.mode = 'quic';
          this.dissector = q;
          return;
        }
        q.close();
      } else if (looksLikeDtlsStart(payload)) {
        this.mode = 'dtls';
        this.dissector = new DtlsDissector(this);
      }
      if (this.mode === 'detect') {
        if (++this.looked >= DETECT_DATAGRAMS) this.mode = 'off';
        return;
      }
    }
    this.dissector?.datagram(dir, payload, { ts, packetIndex });
  }

  private newHandshake(): HandshakeAssembler {
    const clientDir = this.clientDir ?? 0;
    return new HandshakeAssembler({
      flowId: this.flow.id,
      handshakeIndex: this.handshakeIndex++,
      transport: 'udp',
      client: clientDir === 0 ? this.flow.a : this.flow.b,
      server: clientDir === 0 ? this.flow.b : this.flow.a,
      tunnel: this.flow.tunnel,
    });
  }

  setClient(dir: Dir): void {
    if (this.clientDir === dir) return;
    this.clientDir = dir;
    this.flow.setClient(dir);
    // endpoints of an assembler created before the roles were known
    if (this.current && this.current.firstTs === undefined) {
      this.current = undefined;
      this.handshakeIndex--;
    }
  }

  private side(dir: Dir): Side {
    return dir === (this.clientDir ?? 0) ? 'client' : 'server';
  }

  event(dir: Dir, e: TlsEvent): void {
    this.hs.event(this.side(dir), e);
  }

  restart(): void {
    this.flush(false);
  }

  end(reason: EndReason, ts: Ts): void {
    if (this.ended) return;
    this.ended = true;
    this.lastTs = ts;
    if (this.current) this.flush(true, reason);
    this.dissector?.close();
    this.dissector = undefined;
  }

  private flush(final: boolean, reason?: EndReason): void {
    const hs = this.current;
    if (!hs) return;
    this.current = undefined;
    if (hs.ch === undefined && hs.sh === undefined && hs.hrr === undefined) return; // nothing worth a session
    const f = this.flow;
    const closed = reason === undefined ? null : reason === 'reused' || reason === 'fin' || reason === 'rst' ? 'eof' : reason;
    const s = hs.toSession({
      tcpRttMs: null,
      fallbackTs: this.lastTs ?? f.firstTs,
      flags: {
        midstream: hs.ch === undefined,
        gap: false,
        truncated: f.truncated,
        client_hello_seen: hs.ch !== undefined,
        server_hello_seen: hs.sh !== undefined || hs.hrr !== undefined,
        closed_by: final ? closed : null,
        reset_by: null,
        fin_by: null,
      },
      lastTs: final ? f.lastTs : undefined,
    });
    s.protocol = this.mode === 'quic' ? 'quic' : 'dtls';
    if (s.protocol === 'quic' || s.version === 0xfefc) s.certificates_encrypted = true;
    addFlowAnomalies(s, f.anomalies);
    this.emit(s, { serverCerts: hs.serverCerts, clientCerts: hs.clientCerts, ocsp: hs.ocsp });
  }
}
