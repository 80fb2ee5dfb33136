/**
 * One UDP flow's DTLS as TLS events (RFC 6347 DTLS 1.0/1.2, RFC 9147 DTLS 1.3).
 *
 * Epoch-0 records are plaintext: handshake fragments are reassembled per
 * message_seq (retransmissions delivered once), ChangeCipherSpec and alerts
 * are read. Records of a later epoch, tls12_cid records and DTLS 1.3
 * unified-header records are encrypted: handshake ones are reported as
 * 'encrypted_handshake' (Finished), alerts as encrypted alerts, the rest as
 * application data. DTLS 1.3 hides content types: until the handshake is
 * complete, the server's encrypted records are its encrypted handshake and
 * the client's first encrypted record is its Finished (reported as
 * 'encrypted_handshake' events, which the HandshakeAssembler turns into
 * "established" once both sides sent one).
 *
 * Several ClientHellos: after a HelloVerifyRequest (RFC 6347 4.2.1) the client
 * repeats its ClientHello with the cookie (message_seq 1); the first one stays
 * `client_hello`, both are counted in `client_hellos`. A ClientHello with a
 * new random at a message_seq already seen, after a ServerHello, starts a new
 * session (a new connection on the same 5-tuple).
 */
import type { Dir } from '../core/types.js';
import type { ClientHelloJson } from '../core/model.js';
import type { At, HandshakeBody } from '../tls/types.js';
import type { UdpHost } from '../session/udp.js';
import { decodeClientHello } from '../tls/client_hello.js';
import { decodeServerHello } from '../tls/server_hello.js';
import { decodeHandshakeMessage } from '../tls/messages.js';
import { toHex, type Problem } from '../tls/reader.js';
import { DTLS_1_3, parseHandshakeFragments, parseRecords, type DtlsRecord } from './record.js';
import { DTLS_REASSEMBLY_CAP, HandshakeReassembler } from './reassembly.js';
import { MAX_RANGES } from '../core/range-buffer.js';

export { looksLikeDtlsStart } from './record.js';

const EXT_CONNECTION_ID = 54;

/**
 * DTLS ClientHello (RFC 6347 4.2.1) = TLS ClientHello with a cookie<0..2^8-1>
 * after the session id. Returns the TLS layout (cookie removed) and the cookie
 * length, or undefined when too short to hold them.
 */
export function stripCookie(body: Uint8Array): { tls: Uint8Array; cookieLength: number } | undefined {
  const sidAt = 2 + 32;
  if (body.length < sidAt + 1) return undefined;
  const cookieAt = sidAt + 1 + body[sidAt]!;
  if (body.length < cookieAt + 1) return undefined;
  const cl = body[cookieAt]!;
  const rest = cookieAt + 1 + cl;
  if (body.length < rest) return undefined;
  const tls = new Uint8Array(body.length - 1 - cl);
  tls.set(body.subarray(0, cookieAt));
  tls.set(body.subarray(rest), cookieAt);
  return { tls, cookieLength: cl };
}

/** Decode a DTLS ClientHello body into the common ClientHello shape. */
export function decodeDtlsClientHello(body: Uint8Array, recordVersion?: number): { value: ClientHelloJson; problems: Problem[]; cookieLength: number } {
  const s = stripCookie(body);
  const d = decodeClientHello(s ? s.tls : body, recordVersion);
  d.value.length = body.length;
  return { value: d.value, problems: d.problems, cookieLength: s?.cookieLength ?? 0 };
}

/** connection_id extension (RFC 9146 3): cid<0..2^8-1>, from the hex kept for undecoded extensions. */
function cidLength(exts: Array<{ type: number; hex?: string; length: number }>): number | undefined {
  const e = exts.find((x) => x.type === EXT_CONNECTION_ID);
  if (!e) return undefined;
  if (e.hex && e.hex.length >= 2) return parseInt(e.hex.slice(0, 2), 16);
  return e.length > 0 ? e.length - 1 : 0;
}

interface DirState {
  reasm: HandshakeReassembler;
  /** Length of the CID on records sent in this direction, once negotiated. */
  cid: number | undefined;
}

export class DtlsDissector {
  private readonly host: UdpHost;
  private clientDir: Dir | undefined;
  private dirs: [DirState, DirState];
  private cipherSuite: number | undefined;
  private dtls13 = false;
  private firstRandom: string | undefined;
  private shSeen = false;

  constructor(host: UdpHost) {
    this.host = host;
    const reasm = () => new HandshakeReassembler(DTLS_REASSEMBLY_CAP, MAX_RANGES, host.pieces);
    this.dirs = [{ reasm: reasm(), cid: undefined }, { reasm: reasm(), cid: undefined }];
  }

  close(): void {
    for (const d of this.dirs) d.reasm.reset();
  }

  datagram(dir: Dir, d: Uint8Array, at: At): void {
    const st = this.dirs[dir];
    const { records, trailing } = parseRecords(d, st.cid);
    if (records.length === 0) return; // STUN, SRTP... sharing the 5-tuple (RFC 7983)
    if (this.clientDir === undefined) {
      const r = records[0]!;
      if (r.unified || r.epoch !== 0 || r.contentType !== 22 || r.fragment.length < 1) return;
      const t = r.fragment[0]!;
      if (t === 1) this.setClient(dir);
      else if (t === 2 || t === 3) this.setClient((1 - dir) as Dir);
      else return;
    }
    let first = true;
    for (const r of records) {
      this.record(dir, r, at, first);
      first = false;
    }
    if (trailing > 0) {
      this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'dtls_trailing_bytes', layer: 'tls', packetIndex: at.packetIndex, detail: `${trailing} bytes after the last DTLS record of a datagram` } });
    }
  }

  private setClient(dir: Dir): void {
    this.clientDir = dir;
    this.host.setClient(dir);
  }

  private isClient(dir: Dir): boolean {
    return dir === this.clientDir;
  }

  private record(dir: Dir, r: DtlsRecord, at: At, firstInDatagram: boolean): void {
    const hs = this.host.hs;
    const length = r.fragment.length;
    const encrypted = r.unified || r.epoch > 0 || r.contentType === 25;
    // a new connection on the same 5-tuple starts with a plaintext ClientHello: handled before counting its record
    if (!encrypted && r.contentType === 22 && this.isClient(dir)) this.maybeNewConnection(r);
    this.host.event(dir, { kind: 'record', contentType: r.contentType === 25 ? 23 : r.contentType, version: r.version, length, at });
    if (encrypted) {
      if (this.host.hs.established) {
        // once established only alerts are reported, as the TLS parser does in count-only mode; the rest is counted from the record event
        if (r.contentType === 21) this.host.event(dir, { kind: 'alert', level: null, description: null, encrypted: true, at });
        return;
      }
      if (r.unified || this.dtls13) {
        // DTLS 1.3: every protected record before completion is handshake traffic
        if (!this.isClient(dir) || hs.encHs.server > 0) this.host.event(dir, { kind: 'encrypted_handshake', length, at });
        return;
      }
      switch (r.contentType) {
        case 22: this.host.event(dir, { kind: 'encrypted_handshake', length, at }); return;
        case 21: this.host.event(dir, { kind: 'alert', level: null, description: null, encrypted: true, at }); return;
        case 20: this.host.event(dir, { kind: 'change_cipher_spec', at }); return;
        case 26: return; // ACK (RFC 9147 7)
        default: this.host.event(dir, { kind: 'application_data', length, at }); return;
      }
    }
    void firstInDatagram;
    switch (r.contentType) {
      case 22: this.handshake(dir, r, at); return;
      case 20: this.host.event(dir, { kind: 'change_cipher_spec', at }); return;
      case 21:
        if (length === 2) this.host.event(dir, { kind: 'alert', level: r.fragment[0]!, description: r.fragment[1]!, encrypted: false, at });
        else this.host.event(dir, { kind: 'alert', level: null, description: null, encrypted: true, at });
        return;
      case 23:
        if (!this.host.hs.established) this.host.event(dir, { kind: 'application_data', length, at });
        return;
      case 24:
        this.host.event(dir, { kind: 'heartbeat', length, messageType: length > 0 ? r.fragment[0]! : null, payloadLength: length >= 3 ? (r.fragment[1]! << 8) | r.fragment[2]! : null, encrypted: false, at });
        return;
      default:
        return;
    }
  }

  /** A ClientHello fragment at offset 0 with a random other than the first one, after a ServerHello: a new connection. */
  private maybeNewConnection(r: DtlsRecord): void {
    if (!this.shSeen || this.firstRandom === undefined) return;
    const { fragments } = parseHandshakeFragments(r.fragment);
    const f = fragments[0];
    if (!f || f.msgType !== 1 || f.offset !== 0 || f.data.length < 34) return;
    const random = toHex(f.data.subarray(2, 34));
    if (random === this.firstRandom) return;
    this.host.restart();
    for (const d of this.dirs) {
      d.reasm.reset();
      d.cid = undefined;
    }
    this.cipherSuite = undefined;
    this.dtls13 = false;
    this.firstRandom = undefined;
    this.shSeen = false;
  }

  private handshake(dir: Dir, r: DtlsRecord, at: At): void {
    const st = this.dirs[dir];
    const { fragments, malformed } = parseHandshakeFragments(r.fragment);
    if (malformed) {
      this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'dtls_malformed_handshake_fragment', layer: 'tls', packetIndex: at.packetIndex, detail: 'a handshake fragment header did not fit its record' } });
    }
    for (const f of fragments) {
      const res = st.reasm.add(f);
      if (res.kind === 'too_big') {
        this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'handshake_message_too_long', layer: 'tls', packetIndex: at.packetIndex, detail: `type ${f.msgType}, ${f.length} bytes` } });
      } else if (res.kind === 'inconsistent') {
        this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'dtls_inconsistent_fragment', layer: 'tls', packetIndex: at.packetIndex, detail: `message_seq ${f.messageSeq}: type or length differs between fragments` } });
      } else if (res.kind === 'too_many_fragments') {
        this.host.event(dir, { kind: 'anomaly', anomaly: { code: 'dtls_too_many_fragments', layer: 'tls', packetIndex: at.packetIndex, detail: `message_seq ${f.messageSeq}: type ${f.msgType} dropped, the messages in progress came in more than ${MAX_RANGES} separate pieces` } });
      } else if (res.kind === 'complete') {
        this.message(dir, res.msgType, res.body, r.version, at);
      }
    }
  }

  private message(dir: Dir, msgType: number, body: Uint8Array, recordVersion: number, at: At): void {
    let out: HandshakeBody;
    let problems: Problem[] = [];
    switch (msgType) {
      case 1: {
        const d = decodeDtlsClientHello(body, recordVersion);
        if (this.firstRandom === undefined) {
          this.firstRandom = d.value.random;
          // records the server sends carry the CID the client asked for (RFC 9146 3)
          const c = cidLength(d.value.extension_details);
          if (c !== undefined && this.clientDir !== undefined) this.dirs[(1 - this.clientDir) as Dir].cid = c;
        }
        out = { type: 'client_hello', hello: d.value };
        problems = d.problems;
        break;
      }
      case 2: {
        const d = decodeServerHello(body);
        const h = d.value;
        out = { type: 'server_hello', hello: h };
        problems = d.problems;
        if (!h.hello_retry_request) {
          this.shSeen = true;
          this.cipherSuite = h.cipher_suite;
          if ((h.selected_version ?? h.version) === DTLS_1_3) this.dtls13 = true;
          const c = cidLength(h.extension_details);
          if (c !== undefined && this.clientDir !== undefined) this.dirs[this.clientDir].cid = c;
        }
        break;
      }
      default: {
        const d = decodeHandshakeMessage(msgType, body, this.cipherSuite);
        out = d.value;
        problems = d.problems;
      }
    }
    this.host.event(dir, { kind: 'handshake', msgType, length: body.length, body: out, recordVersion, at });
    for (const p of problems) {
      const a: { code: string; layer: 'tls'; packetIndex: number; detail?: string } = { code: p.code, layer: 'tls', packetIndex: at.packetIndex };
      if (p.detail !== undefined) a.detail = p.detail;
      this.host.event(dir, { kind: 'anomaly', anomaly: a });
    }
  }
}
