/**
 * Assembles the TLS events of one handshake (both directions) into a Session
 * (without the derived parts: certificate summaries, fingerprints, findings,
 * which `finalize.ts` adds).
 */
import type {
  AlertJson, AnomalyJson, ClientHelloJson, DirectionCountsJson, EncryptedExtensionsJson, ServerHelloJson, Session, StepJson,
} from '../core/model.js';
import type { Anomaly, Endpoint, Ts } from '../core/types.js';
import { copyTs, diffMs, tsToEpoch, tsToIso } from '../core/time.js';
import type { TlsEvent } from '../tls/types.js';
import { setRawMessages, type RawMessage } from '../core/raw.js';
import { DirectionCounts, Step } from '../core/model.js';
import { alertLevelName, alertName, cipherSuiteName, versionName } from '../registry/index.js';

export type Side = 'client' | 'server';

/** Handshake message type -> (step name, history letter). RFC 8446 section 4 / RFC 5246 section 7.4. */
const HS_STEPS: Record<number, [string, string]> = {
  0: ['hello_request', 'H'],
  1: ['client_hello', 'C'],
  2: ['server_hello', 'S'],
  3: ['hello_verify_request', 'V'],
  4: ['new_session_ticket', 'T'],
  5: ['end_of_early_data', 'E'],
  8: ['encrypted_extensions', 'O'],
  11: ['certificate', 'X'],
  12: ['server_key_exchange', 'K'],
  13: ['certificate_request', 'R'],
  14: ['server_hello_done', 'N'],
  15: ['certificate_verify', 'Y'],
  16: ['client_key_exchange', 'G'],
  20: ['finished', 'F'],
  21: ['certificate_url', 'W'],
  22: ['certificate_status', 'U'],
  23: ['supplemental_data', 'A'],
  24: ['key_update', 'P'],
  254: ['message_hash', 'M'],
};

const MAX_STEPS = 64;
const MAX_HISTORY = 100;
/**
 * A TLS 1.3 encrypted record this small is an alert (2 bytes + content type +
 * 16-byte AEAD tag = 19), not a Finished (at least 32 + 4 + 1 + 16 bytes).
 */
const TLS13_ALERT_MAX = 24;


const TLS13 = (v: number | undefined): boolean => v !== undefined && (v === 0x0304 || (v >> 8) === 0x7f || v === 0xfb1a || (v & 0xff00) === 0x7e00);

export interface HandshakeContext {
  flowId: number;
  handshakeIndex: number;
  transport: 'tcp' | 'udp';
  client: Endpoint;
  server: Endpoint;
  tunnel: string | undefined;
  starttls?: string | undefined;
  proxy?: string | undefined;
  proxyTarget?: string | undefined;
}

/** Collects one handshake's events. */
export class HandshakeAssembler {
  readonly ctx: HandshakeContext;
  firstTs: Ts | undefined;
  lastTs: Ts | undefined;
  ch: ClientHelloJson | undefined;
  ch2: ClientHelloJson | undefined;
  hrr: ServerHelloJson | undefined;
  sh: ServerHelloJson | undefined;
  chTs: Ts | undefined;
  hrrTs: Ts | undefined;
  shTs: Ts | undefined;
  clientHellos = 0;
  serverHellos = 0;
  serverCerts: Uint8Array[] | undefined;
  clientCerts: Uint8Array[] | undefined;
  clientCertMsgSeen = false;
  ocsp: Uint8Array | undefined;
  ske: Session['server_key_exchange'];
  ckeLength: number | undefined;
  nst: Session['new_session_ticket'];
  certRequested = false;
  alerts: AlertJson[] = [];
  steps: StepJson[] = [];
  history = '';
  counts: { client: DirectionCountsJson; server: DirectionCountsJson } = { client: new DirectionCounts(), server: new DirectionCounts() };
  anomalies: Anomaly[] = [];
  /** Codes in `anomalies` (made on the first one). */
  private anomalyCodes: Set<string> | null = null;
  lastStep: string | null = null;
  ccs: Record<Side, boolean> = { client: false, server: false };
  /** Encrypted handshake records seen after this side's CCS (TLS <= 1.2) or after the ServerHello (TLS 1.3). */
  encHs: Record<Side, number> = { client: 0, server: 0 };
  /** Encrypted records (TLS 1.3: type 23 after the ServerHello). */
  enc13: Record<Side, number> = { client: 0, server: 0 };
  establishedTs: Ts | undefined;
  firstAppDataTs: Ts | undefined;
  fatalAlert = false;
  appDataSeen: Record<Side, boolean> = { client: false, server: false };
  clientHelloSegments = 0;
  serverPlaintext: string | undefined;
  stoppedSides: Side[] = [];
  /** Protected records of this side were opened with logged secrets. */
  decryptedSide: Record<Side, boolean> = { client: false, server: false };
  /** This side's Finished was read from a decrypted record (TLS 1.3). */
  finishedDecrypted: Record<Side, boolean> = { client: false, server: false };
  ee: EncryptedExtensionsJson | undefined;
  /** The messages' bytes, when the parsers keep them (`keepRaw`: the terminal UI's hex view). */
  raw: RawMessage[] | undefined;

  constructor(ctx: HandshakeContext) {
    this.ctx = ctx;
  }

  get tls13(): boolean {
    return this.sh !== undefined && TLS13(this.sh.selected_version ?? this.sh.version);
  }

  get established(): boolean {
    return this.establishedTs !== undefined;
  }

  /** A second plaintext ClientHello after a completed ServerHello starts a new handshake. */
  startsNewHandshake(e: TlsEvent): boolean {
    return e.kind === 'handshake' && e.body.type === 'client_hello' && this.sh !== undefined;
  }

  private touch(ts: Ts): void {
    if (!this.firstTs) this.firstTs = copyTs(ts);
    // one per event: updated in place (only toSession reads it, as numbers)
    const last = this.lastTs;
    if (last === undefined || last === this.firstTs) this.lastTs = copyTs(ts);
    else {
      last.sec = ts.sec;
      last.nsec = ts.nsec;
    }
  }

  private step(name: string, side: Side, ts: Ts, packetIndex: number, letter: string | null): void {
    this.lastStep = name;
    if (letter !== null && this.history.length < MAX_HISTORY) {
      this.history += side === 'client' ? letter : letter.toLowerCase();
    }
    if (this.steps.length < MAX_STEPS) {
      const t0 = this.firstTs ?? ts;
      this.steps.push(new Step(name, side, tsToIso(ts), round3(diffMs(t0, ts)), packetIndex + 1));
    }
  }

  addAnomaly(a: Anomaly): void {
    const codes = (this.anomalyCodes ??= new Set<string>());
    if (codes.has(a.code)) return;
    codes.add(a.code);
    this.anomalies.push(a);
  }

  /** Feed one TLS event from `side`. */
  event(side: Side, e: TlsEvent): void {
    if (e.kind === 'anomaly') {
      this.addAnomaly(e.anomaly);
      return;
    }
    const at = e.at;
    this.touch(at.ts);
    const cnt = this.counts[side];
    switch (e.kind) {
      case 'record':
        cnt.records++;
        cnt.bytes += 5 + e.length;
        if (e.contentType === 22) cnt.handshake_records++;
        else if (e.contentType === 20) cnt.change_cipher_spec++;
        else if (e.contentType === 21) cnt.alerts++;
        else if (e.contentType === 24) cnt.heartbeat++;
        // once established the parsers only walk record headers (and report alerts): count application data here
        if (this.established && e.contentType === 23) this.appData(side, e.length, at.ts, at.packetIndex);
        return;
      case 'handshake':
        this.handshake(side, e);
        return;
      case 'encrypted_handshake':
        this.encHs[side]++;
        if (this.encHs[side] === 1) this.step('finished', side, at.ts, at.packetIndex, 'F');
        this.checkEstablished(at.ts);
        return;
      case 'change_cipher_spec':
        if (!this.ccs[side]) this.step('change_cipher_spec', side, at.ts, at.packetIndex, 'I');
        this.ccs[side] = true;
        return;
      case 'alert':
        this.alert(side, e.level, e.description, e.encrypted, at.ts, at.packetIndex, false);
        return;
      case 'application_data':
        if (!this.established) this.appData(side, e.length, at.ts, at.packetIndex);
        return;
      case 'heartbeat':
        this.step('heartbeat', side, at.ts, at.packetIndex, 'B');
        return;
      case 'sslv2':
        if (e.msgType === 4 && side === 'server') {
          this.serverHellos++;
          this.step('server_hello', side, at.ts, at.packetIndex, 'S');
        } else {
          this.step(`sslv2_${e.msgType}`, side, at.ts, at.packetIndex, 'Z');
        }
        return;
      case 'decrypted':
        this.decryptedSide[side] = true;
        return;
      case 'stopped':
        if (!this.stoppedSides.includes(side)) {
          this.stoppedSides.push(side);
          if (this.history.length < MAX_HISTORY) this.history += '!';
        }
        return;
    }
  }

  private handshake(side: Side, e: Extract<TlsEvent, { kind: 'handshake' }>): void {
    const { ts, packetIndex } = e.at;
    const body = e.body;
    if (e.raw !== undefined) (this.raw ??= []).push({ from: side, type: e.recordVersion === 2 ? -1 : e.msgType, bytes: e.raw, frame: packetIndex });
    const [name, letter] = HS_STEPS[e.msgType] ?? [`handshake_${e.msgType}`, 'Z'];
    switch (body.type) {
      case 'client_hello':
        this.clientHellos++;
        if (!this.ch) {
          this.ch = body.hello;
          if (body.hello.record_version === undefined) body.hello.record_version = e.recordVersion;
          this.chTs = copyTs(ts);
        } else if (this.hrr && !this.ch2) {
          this.ch2 = body.hello;
        }
        break;
      case 'server_hello':
        this.serverHellos++;
        if (body.hello.hello_retry_request) {
          if (!this.hrr) {
            this.hrr = body.hello;
            this.hrrTs = copyTs(ts);
          }
          this.step('hello_retry_request', side, ts, packetIndex, 'J');
          return;
        }
        if (!this.sh) {
          this.sh = body.hello;
          this.shTs = copyTs(ts);
        }
        break;
      case 'certificate':
        if (side === 'server') {
          if (!this.serverCerts) this.serverCerts = body.certs;
        } else {
          this.clientCertMsgSeen = true;
          if (!this.clientCerts) this.clientCerts = body.certs;
        }
        break;
      case 'certificate_status':
        if (!this.ocsp) this.ocsp = body.ocsp;
        break;
      case 'server_key_exchange': {
        const ske: NonNullable<Session['server_key_exchange']> = { length: body.length };
        if (body.group !== undefined) {
          ske.group = body.group;
        }
        if (body.dhBits !== undefined) ske.dh_bits = body.dhBits;
        this.ske = ske;
        break;
      }
      case 'certificate_request':
        this.certRequested = true;
        break;
      case 'encrypted_extensions':
        if (!this.ee && side === 'server') {
          this.ee = { extensions: body.extensions.map((x) => x.type), extension_details: body.extensions, alpn: body.alpn ?? null, length: body.length };
        }
        break;
      case 'client_key_exchange':
        this.ckeLength = body.length;
        break;
      case 'new_session_ticket':
        if (!this.nst) this.nst = { lifetime_hint: body.lifetimeHint, length: body.length };
        break;
      default:
        break;
    }
    this.step(name, side, ts, packetIndex, letter);
    if (body.type === 'finished' && this.tls13) {
      this.finishedDecrypted[side] = true;
      // RFC 8446 2: the handshake is complete once the client's Finished follows the server's flight
      if (side === 'client' && !this.established && !this.fatalAlert && (this.finishedDecrypted.server || this.enc13.server > 0)) {
        this.establishedTs = copyTs(ts);
        this.step('established', side, ts, packetIndex, null);
      }
    }
  }

  private appData(side: Side, length: number, ts: Ts, packetIndex: number): void {
    const cnt = this.counts[side];
    if (this.tls13 && !this.established) {
      // TLS 1.3: records after the ServerHello are the encrypted handshake until both Finished are out
      this.enc13[side]++;
      // after its decrypted Finished the server uses application keys (tickets, 0.5-RTT data): not opened
      if (side === 'server' && this.finishedDecrypted.server) return;
      if (side === 'server') {
        if (this.enc13.server === 1) this.step('encrypted_handshake', side, ts, packetIndex, 'E');
        return;
      }
      // client: its first encrypted record is its Finished (or an alert, judging by size)
      if (this.enc13.client === 1) {
        if (length <= TLS13_ALERT_MAX) {
          this.alert(side, null, null, true, ts, packetIndex, true);
          return;
        }
        this.step('finished', side, ts, packetIndex, 'F');
        if (this.enc13.server > 0 || this.finishedDecrypted.server) {
          this.establishedTs = copyTs(ts);
          this.step('established', side, ts, packetIndex, null);
        }
        return;
      }
    }
    if (this.tls13 && this.established && length <= TLS13_ALERT_MAX && !this.appDataSeen[side]) {
      // a lone alert-sized record right after the handshake: most likely an alert (close_notify or error)
      this.alert(side, null, null, true, ts, packetIndex, true);
      return;
    }
    cnt.application_data_records++;
    cnt.application_data_bytes += length;
    if (!this.appDataSeen[side]) {
      this.appDataSeen[side] = true;
      this.step('application_data', side, ts, packetIndex, 'D');
    }
    if (!this.firstAppDataTs) this.firstAppDataTs = copyTs(ts);
  }

  private alert(side: Side, level: number | null, description: number | null, encrypted: boolean, ts: Ts, packetIndex: number, inferred: boolean): void {
    const a: AlertJson = {
      from: side,
      level,
      level_name: level === null ? null : alertLevelName(level),
      description,
      name: description === null ? null : alertName(description),
      encrypted,
      time: tsToIso(ts),
      after: this.lastStep,
    };
    if (inferred) a.inferred = true;
    if (this.alerts.length < 32) this.alerts.push(a);
    if (level === 2 || (description !== null && description !== 0 && description !== 90 && description !== 100 && level !== 1)) {
      this.fatalAlert = true;
    }
    this.step(encrypted ? 'encrypted_alert' : `alert_${a.name ?? 'unknown'}`, side, ts, packetIndex, encrypted ? 'Q' : 'L');
  }

  private checkEstablished(ts: Ts): void {
    if (this.established || this.tls13) return;
    if (this.encHs.client > 0 && this.encHs.server > 0 && !this.fatalAlert) {
      this.establishedTs = copyTs(ts);
    }
  }

  /** Build the (not yet finalised) session. */
  toSession(end: {
    flags: Session['flags'];
    tcpRttMs: number | null;
    fallbackTs: Ts;
    /** Last packet of the stream, when this is its last handshake. */
    lastTs?: Ts | undefined;
  }): Session {
    const c = this.ctx;
    const first = this.firstTs ?? end.fallbackTs;
    let last = this.lastTs ?? first;
    if (end.lastTs && (end.lastTs.sec > last.sec || (end.lastTs.sec === last.sec && end.lastTs.nsec > last.nsec))) last = end.lastTs;
    const ch = this.ch;
    const sh = this.sh;
    const version = sh ? (sh.selected_version ?? sh.version) : null;
    // TLS 1.3: the server answered the client's flight with nothing but an (encrypted, alert-sized)
    // alert and no ticket or data: it rejected the client (e.g. certificate_required), so the
    // handshake did not complete even though the client sent its Finished.
    const a0 = this.alerts[0];
    const serverRejected = this.tls13 && this.established && !this.appDataSeen.server &&
      a0 !== undefined && a0.from === 'server' && a0.encrypted && a0.inferred === true;
    const established = this.established && !serverRejected;
    const s: Session = {
      id: c.handshakeIndex === 0 ? String(c.flowId) : `${c.flowId}.${c.handshakeIndex}`,
      flow_id: c.flowId,
      handshake_index: c.handshakeIndex,
      transport: c.transport,
      protocol: ch?.sslv2 && !sh ? 'ssl2' : 'tls',
      client: c.client,
      server: c.server,
      start_time: tsToIso(first),
      end_time: tsToIso(last),
      start_ts: tsToEpoch(first),
      end_ts: tsToEpoch(last),
      server_name: ch?.server_name ?? null,
      version,
      version_name: version === null ? null : versionName(version),
      cipher_suite: sh ? sh.cipher_suite : null,
      cipher_suite_name: sh ? cipherSuiteName(sh.cipher_suite) : null,
      alpn: sh?.alpn ?? this.ee?.alpn ?? null,
      client_hellos: this.clientHellos,
      server_hellos: this.serverHellos,
      resumed: false,
      resumption: null,
      established,
      certificates: [],
      certificates_encrypted: this.tls13 && !this.decryptedSide.server,
      client_certificates: [],
      client_certificate_requested: this.certRequested,
      alerts: this.alerts,
      client_hello_segments: this.clientHelloSegments,
      history: flat(this.history),
      steps: this.steps,
      counts: this.counts,
      timing: {
        tcp_rtt_ms: end.tcpRttMs,
        client_hello_to_server_hello_ms: this.chTs && this.shTs ? round3(diffMs(this.chTs, this.shTs)) : null,
        hello_retry_extra_ms: this.hrrTs && this.shTs ? round3(diffMs(this.hrrTs, this.shTs)) : null,
        handshake_ms: established && this.chTs && this.establishedTs ? round3(diffMs(this.chTs, this.establishedTs)) : null,
        first_application_data_ms: this.chTs && this.firstAppDataTs ? round3(diffMs(this.chTs, this.firstAppDataTs)) : null,
      },
      findings: [],
      anomalies: this.anomalies.map(anomalyJson),
      flags: end.flags,
    };
    if (c.tunnel) s.tunnel = c.tunnel;
    if (c.starttls) s.starttls = c.starttls;
    if (c.proxy) s.proxy = c.proxy;
    if (c.proxyTarget) s.proxy_target = c.proxyTarget;
    if (ch) s.client_hello = ch;
    if (this.ch2) s.client_hello_retry = this.ch2;
    if (this.hrr) s.hello_retry_request = this.hrr;
    if (sh) s.server_hello = sh;
    if (this.ske) s.server_key_exchange = this.ske;
    if (this.ckeLength !== undefined) s.client_key_exchange_length = this.ckeLength;
    if (this.nst) s.new_session_ticket = this.nst;
    if (this.decryptedSide.client || this.decryptedSide.server) s.decrypted = true;
    if (this.ee) s.encrypted_extensions = this.ee;
    if (this.serverPlaintext !== undefined) s.server_plaintext = this.serverPlaintext;
    // resumption (RFC 5246 7.4.1.3 session id echo; RFC 5077 ticket; RFC 8446 4.2.11 PSK)
    if (sh && ch) {
      if (sh.pre_shared_key_identity !== undefined) {
        s.resumed = true;
        s.resumption = 'psk';
      } else if (!this.tls13 && this.serverCerts === undefined && this.ske === undefined && (this.ccs.server || this.encHs.server > 0) &&
        this.steps.every((st) => st.step !== 'server_hello_done')) {
        s.resumed = true;
        s.resumption = ch.session_ticket_length !== null && ch.session_ticket_length > 0 ? 'ticket' : 'session_id';
      } else if (!this.tls13 && ch.session_id !== '' && ch.session_id === sh.session_id && this.serverCerts === undefined) {
        s.resumed = true;
        s.resumption = 'session_id';
      }
    }
    if (this.raw !== undefined) setRawMessages(s, this.raw);
    return s;
  }
}

/** An anomaly as exported (1-based frame number, as Wireshark shows it). */
export function anomalyJson(a: Anomaly): AnomalyJson {
  const o: AnomalyJson = { code: a.code, layer: a.layer };
  if (a.packetIndex !== undefined) o.packet = a.packetIndex + 1;
  if (a.detail !== undefined) o.detail = a.detail;
  return o;
}

/** Adds the flow's own anomalies (reassembly, truncation...) to a session of that flow, each code once. */
export function addFlowAnomalies(s: Session, flowAnomalies: readonly Anomaly[]): void {
  for (const a of flowAnomalies) {
    if (!s.anomalies.some((x) => x.code === a.code)) s.anomalies.push(anomalyJson(a));
  }
}

/** `s` made flat (grown a letter at a time, it is a rope of many nodes): reading a character flattens it in V8. */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
