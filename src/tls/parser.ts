/**
 * The TLS record and handshake layer for one direction of a stream.
 *
 * Input: in-order bytes starting at a record boundary. Records (RFC 8446 5.1,
 * RFC 5246 6.2.1) are walked with a 5-byte header; application data and
 * encrypted records are counted from the header and never copied. Plaintext
 * handshake, alert, change_cipher_spec and heartbeat records are taken as a
 * view when the whole record is in one chunk, otherwise buffered (at most
 * 2^14 + 2048 bytes, RFC 5246 6.2.3). Handshake messages (RFC 8446 4) are
 * reassembled across records up to `maxHandshakeMessage`; larger ones are
 * skipped with an anomaly.
 *
 * Encryption state: a direction becomes encrypted after its own
 * ChangeCipherSpec (RFC 5246 7.1), after its own TLS 1.3 ServerHello
 * (RFC 8446 2: everything after ServerHello is encrypted), or when
 * `setEncrypted()` is called. The TLS 1.3 middlebox-compatibility CCS
 * (RFC 8446 D.4) does not switch a direction that negotiated or retried
 * TLS 1.3; for a client that offered TLS 1.3 the CCS is ambiguous (it may
 * precede a second, plaintext ClientHello after a HelloRetryRequest), so the
 * next handshake record is plaintext only if it frames exactly as a
 * ClientHello, and 2-byte alerts stay plaintext.
 *
 * SSLv2 (RFC 6101 appendix E, RFC 5246 appendix E.2): when the first record
 * has a 2-byte header (high bit set), the direction accepts SSLv2 records:
 * CLIENT-HELLO becomes a `client_hello` handshake event (sslv2: true), other
 * plaintext SSLv2 messages an `sslv2` event; every SSLv2 record also gives a
 * `record` event with the pseudo content type 128 and version 2.
 *
 * After a violation (bad content type, version or length) or a gap, a
 * 'stopped' event and an anomaly are emitted and nothing else follows.
 * In countOnly mode only 'record' events are emitted.
 */
import { isTls13Version } from '../registry/index.js';
import type { Anomaly } from '../core/types.js';
import { keepRawMessage } from '../core/raw.js';
import { decodeClientHello, decodeSslv2ClientHello } from './client_hello.js';
import { decodeHandshakeMessage } from './messages.js';
import type { Problem } from './reader.js';
import { decodeServerHello } from './server_hello.js';
import {
  CT_ALERT, CT_APPLICATION_DATA, CT_CHANGE_CIPHER_SPEC, CT_HANDSHAKE, CT_HEARTBEAT,
  type At, type HandshakeBody, type RecordDecryptor, type TlsDirectionParser, type TlsEvent, type TlsParserOptions,
} from './types.js';

/** Largest TLSPlaintext fragment (RFC 8446 5.1). */
export const MAX_PLAINTEXT = 1 << 14;
/** Largest TLSCiphertext fragment accepted (RFC 5246 6.2.3: 2^14 + 2048). */
export const MAX_RECORD = (1 << 14) + 2048;
/** Pseudo content type of SSLv2-format records in 'record' events. */
export const CT_SSLV2 = 128;
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 256 * 1024;

const SSLV2_CLIENT_HELLO = 1;
const SSLV2_CLIENT_MASTER_KEY = 2;
const SSLV2_SERVER_HELLO = 4;

export function createTlsDirectionParser(sink: (e: TlsEvent) => void, opts?: TlsParserOptions): TlsDirectionParser {
  return new DirectionParser(sink, opts?.maxHandshakeMessage ?? DEFAULT_MAX_HANDSHAKE_MESSAGE, opts?.keepRaw === true);
}

/**
 * Record and handshake-message buffers, shared between parsers: a parser
 * only holds one while a record or message is split across segments, so
 * with many short connections the same few buffers serve them all instead
 * of each allocating (and zero-filling) its own. Sizes are powers of two
 * from 512 bytes to 32 KiB, a few per size; a buffer is given back only
 * once the record or message it held has been decoded and the decoders
 * keep no view of it (they copy what they keep).
 */
const POOL_MIN_SHIFT = 9;
const POOL_MAX_SHIFT = 15;
const POOL_PER_SIZE = 8;
const pool: Uint8Array[][] = [];
for (let k = POOL_MIN_SHIFT; k <= POOL_MAX_SHIFT; k++) pool.push([]);

function sizeClass(n: number): number {
  return n <= 1 << POOL_MIN_SHIFT ? POOL_MIN_SHIFT : 32 - Math.clz32(n - 1);
}

function takeBuffer(n: number): Uint8Array {
  const k = sizeClass(n);
  if (k > POOL_MAX_SHIFT) return new Uint8Array(n);
  return pool[k - POOL_MIN_SHIFT]!.pop() ?? new Uint8Array(1 << k);
}

/**
 * `old` when it has room for `need` bytes, else a pooled buffer of at least
 * `need` bytes (doubling `old`, never past `max`) holding old[0, fill). So a
 * record or message buffer grows as its bytes arrive: a header claiming 18 KB
 * or 200 KB followed by a few bytes holds a few hundred, whatever number of
 * flows do so.
 */
function grown(old: Uint8Array | null, fill: number, need: number, max: number): Uint8Array {
  if (old !== null && old.length >= need) return old;
  const b = takeBuffer(Math.min(max, Math.max(need, old === null ? 0 : old.length * 2)));
  if (old !== null) {
    b.set(old.subarray(0, fill));
    giveBuffer(old);
  }
  return b;
}

function giveBuffer(b: Uint8Array): void {
  const k = sizeClass(b.length);
  if (k > POOL_MAX_SHIFT || 1 << k !== b.length) return;
  const list = pool[k - POOL_MIN_SHIFT]!;
  if (list.length < POOL_PER_SIZE) list.push(b);
}

class DirectionParser implements TlsDirectionParser {
  stopped = false;
  private countOnlyMode = false;
  private encrypted = false;
  private ccsAmbiguous = false;
  /** MAC length under a NULL bulk cipher (setPlaintextMac), 0 otherwise. */
  private plainMac = 0;
  /** MAC bytes at the end of the current record's body (an alert under a NULL cipher). */
  private macTail = 0;
  private at: At = { ts: { sec: 0, nsec: 0 }, packetIndex: -1 };
  /** Anomaly codes already reported (made on the first one: most directions have none). */
  private reported: Set<string> | null = null;

  // record header
  private hdr = new Uint8Array(5);
  private hdrFill = 0;
  private hdrNeed = 5;
  private records = 0;
  private sslv2Mode = false;
  private sslv2Encrypted = false;

  // current record body
  private inBody = false;
  private recType = 0;
  private recVersion = 0;
  private recLen = 0;
  private recRemaining = 0;
  private recBuffered = false;
  private recBuf: Uint8Array | null = null;
  private recFill = 0;

  // handshake reassembly
  private hsBuf: Uint8Array | null = null;
  private hsFill = 0;
  private hsVersion = 0;
  private hsSkip = 0;

  // negotiation state (this direction's own messages)
  private cipherSuite: number | undefined;
  private tls13 = false;
  private sawHrr = false;
  private offered13 = false;

  // decryption (setDecryptor)
  private decryptor: RecordDecryptor | null = null;
  /** True while the content of an opened record is being parsed. */
  private decrypting = false;
  private openedAny = false;

  constructor(
    private readonly sink: (e: TlsEvent) => void,
    private readonly maxHs: number,
    private readonly keepRaw: boolean,
  ) {}

  push(chunk: Uint8Array, at: At): void {
    if (this.stopped) return;
    this.at = at;
    const n = chunk.length;
    let i = 0;
    while (i < n && !this.stopped) {
      if (this.inBody) {
        const take = Math.min(this.recRemaining, n - i);
        if (this.recBuffered) {
          if (this.recFill === 0 && take === this.recLen) {
            this.inBody = false;
            i += take;
            this.recRemaining = 0;
            this.processRecord(chunk.subarray(i - take, i));
            continue;
          }
          const rb = (this.recBuf = grown(this.recBuf, this.recFill, this.recFill + take, this.recLen));
          rb.set(chunk.subarray(i, i + take), this.recFill);
          this.recFill += take;
        }
        i += take;
        this.recRemaining -= take;
        if (this.recRemaining === 0) {
          this.inBody = false;
          if (this.recBuffered) {
            const b = this.recBuf!;
            this.processRecord(b.subarray(0, this.recLen));
            if (this.recBuf === b) {
              this.recBuf = null;
              giveBuffer(b);
            }
          }
        }
        continue;
      }
      // header
      if (this.hdrFill === 0) {
        const b0 = chunk[i]!;
        this.hdrNeed = 5;
        if (this.records === 0 || this.sslv2Mode) {
          if (b0 & 0x80) this.hdrNeed = 2;
          else if (this.sslv2Mode && (b0 < 20 || b0 > 24)) this.hdrNeed = 3;
        }
      }
      const take = Math.min(this.hdrNeed - this.hdrFill, n - i);
      for (let k = 0; k < take; k++) this.hdr[this.hdrFill++] = chunk[i + k]!;
      i += take;
      if (this.hdrFill === this.hdrNeed) {
        this.hdrFill = 0;
        if (this.hdrNeed === 5) this.onTlsHeader();
        else this.onSslv2Header();
      }
    }
  }

  gap(bytes: number, at: At): void {
    if (this.stopped) return;
    this.at = at;
    this.stop('gap', `${bytes} bytes lost`);
  }

  setEncrypted(): void {
    if (this.stopped) return;
    this.encrypted = true;
    this.ccsAmbiguous = false;
    this.dropPartialHandshake();
  }

  setPlaintextMac(macLength: number): void {
    if (this.stopped) return;
    this.plainMac = macLength > 0 ? macLength : 0;
  }

  setDecryptor(d: RecordDecryptor | null): void {
    if (this.stopped || this.countOnlyMode) return;
    this.decryptor = d;
  }

  countOnly(): void {
    this.countOnlyMode = true;
    this.decryptor = null;
    this.hsBuf = null;
    this.hsFill = 0;
    this.hsSkip = 0;
    if (this.inBody && this.recBuffered) {
      this.recBuffered = false;
    }
    this.recBuf = null;
  }

  // ---------------------------------------------------------------- events

  private emit(e: TlsEvent): void {
    try {
      this.sink(e);
    } catch {
      // a throwing sink must not break the parser's invariants; nothing to do
    }
  }

  private anomaly(code: string, detail?: string): void {
    const reported = (this.reported ??= new Set<string>());
    if (reported.has(code)) return;
    reported.add(code);
    const a: Anomaly = { code, layer: 'tls', packetIndex: this.at.packetIndex };
    if (detail !== undefined) a.detail = detail;
    this.emit({ kind: 'anomaly', anomaly: a });
  }

  private problems(ps: Problem[]): void {
    for (const p of ps) this.anomaly(p.code, p.detail);
  }

  private stop(code: string, detail: string): void {
    this.anomaly(code, detail);
    this.stopped = true;
    this.emit({ kind: 'stopped', reason: code, at: this.at });
    this.hsBuf = null;
    this.recBuf = null;
  }

  // ---------------------------------------------------------------- records

  private beginBody(buffered: boolean, evenCountOnly = false): void {
    this.recRemaining = this.recLen;
    this.recBuffered = buffered && (!this.countOnlyMode || evenCountOnly);
    this.recFill = 0;
    // the body buffer is made (and grown) in push() as bytes arrive, never from the claimed length alone
    if (this.recLen === 0) {
      if (this.recBuffered) this.processRecord(new Uint8Array(0));
      return;
    }
    this.inBody = true;
  }

  private onTlsHeader(): void {
    const h = this.hdr;
    const ct = h[0]!;
    const version = (h[1]! << 8) | h[2]!;
    const len = (h[3]! << 8) | h[4]!;
    if (ct < CT_CHANGE_CIPHER_SPEC || ct > CT_HEARTBEAT) {
      this.stop('invalid_content_type', `content type ${ct}`);
      return;
    }
    if (h[1] !== 3 || h[2]! > 4) {
      this.stop('invalid_record_version', `record version 0x${version.toString(16).padStart(4, '0')}`);
      return;
    }
    if (len > MAX_RECORD) {
      this.stop('record_too_long', `record length ${len}`);
      return;
    }
    this.records++;
    this.recType = ct;
    this.recVersion = version;
    this.recLen = len;
    this.macTail = 0;
    this.emit({ kind: 'record', contentType: ct, version, length: len, at: this.at });
    if (this.countOnlyMode) return ct === CT_ALERT ? this.protectedAlert(len) : this.beginBody(false);

    if (ct === CT_APPLICATION_DATA && this.decryptor !== null) {
      // a protected record: opened when complete (processRecord), its inner type decides
      return this.beginBody(true);
    }
    if (ct !== CT_HANDSHAKE && (this.hsFill > 0 || this.hsSkip > 0)) {
      this.anomaly('handshake_fragment_interleaved', `content type ${ct} inside a fragmented handshake message`);
    }
    switch (ct) {
      case CT_APPLICATION_DATA:
        this.emit({ kind: 'application_data', length: len, at: this.at });
        return this.beginBody(false);
      case CT_HANDSHAKE:
        if (this.encrypted) {
          this.emit({ kind: 'encrypted_handshake', length: len, at: this.at });
          return this.beginBody(false);
        }
        break;
      case CT_ALERT:
        // A protected alert is never 2 bytes long (every record protection adds a MAC or AEAD tag),
        // and in TLS 1.3 protected records travel as type 23: a 2-byte alert is plaintext even after
        // the switch (seen from NSS and OpenSSL TLS 1.3 clients rejecting a certificate).
        if (this.encrypted && len !== 2) return this.protectedAlert(len);
        break;
      case CT_HEARTBEAT:
        if (this.encrypted || this.ccsAmbiguous) {
          this.emit({ kind: 'heartbeat', length: len, messageType: null, payloadLength: null, encrypted: true, at: this.at });
          return this.beginBody(false);
        }
        break;
    }
    if (len === 0 && ct !== CT_HEARTBEAT) {
      this.anomaly('empty_record', `zero-length record of content type ${ct}`);
      return this.beginBody(false);
    }
    if (len > MAX_PLAINTEXT) this.anomaly('plaintext_record_too_long', `content type ${ct}, length ${len}`);
    this.beginBody(true);
  }

  private onSslv2Header(): void {
    const h = this.hdr;
    const len = this.hdrNeed === 2 ? ((h[0]! & 0x7f) << 8) | h[1]! : ((h[0]! & 0x3f) << 8) | h[1]!;
    if (this.records === 0) {
      if (len < 1) {
        this.stop('invalid_content_type', 'empty SSLv2 record');
        return;
      }
    }
    this.records++;
    this.recType = CT_SSLV2;
    this.recVersion = 2;
    this.recLen = len;
    this.emit({ kind: 'record', contentType: CT_SSLV2, version: 2, length: len, at: this.at });
    if (!this.sslv2Mode) {
      this.sslv2Mode = true;
      this.anomaly('sslv2_record', 'SSLv2 record format');
    }
    const plaintext = this.hdrNeed === 2 && !this.sslv2Encrypted && !this.countOnlyMode;
    this.beginBody(plaintext);
  }

  private processRecord(body: Uint8Array): void {
    if (this.stopped) return;
    if (this.macTail > 0) return this.onAlert(body.subarray(0, body.length - this.macTail));
    if (this.countOnlyMode) return;
    switch (this.recType) {
      case CT_HANDSHAKE:
        return this.onHandshakeRecord(body);
      case CT_ALERT:
        return this.onAlert(body);
      case CT_CHANGE_CIPHER_SPEC:
        return this.onCcs(body);
      case CT_HEARTBEAT:
        return this.onHeartbeat(body);
      case CT_SSLV2:
        return this.onSslv2(body);
      case CT_APPLICATION_DATA:
        return this.onProtected(body);
    }
  }

  /** A protected record (RFC 8446 5.2) with a decryptor set: open it and parse its content. */
  private onProtected(body: Uint8Array): void {
    const d = this.decryptor;
    const r = d === null ? 'skip' : d.open(this.hdr.subarray(0, 5), body);
    if (r === 'skip') {
      this.emit({ kind: 'application_data', length: body.length, at: this.at });
      return;
    }
    if (r === undefined || r.contentType === 0) {
      this.decryptor = null;
      this.anomaly('tls_decrypt_failed', r === undefined
        ? `a ${body.length}-byte record did not open with the logged secret`
        : 'an opened record holds no content type');
      this.emit({ kind: 'application_data', length: body.length, at: this.at });
      return;
    }
    if (!this.openedAny) {
      this.openedAny = true;
      this.emit({ kind: 'decrypted', at: this.at });
    }
    const ct = r.contentType;
    if (ct !== CT_HANDSHAKE && (this.hsFill > 0 || this.hsSkip > 0)) {
      this.anomaly('handshake_fragment_interleaved', `content type ${ct} inside a fragmented handshake message`);
    }
    switch (ct) {
      case CT_HANDSHAKE:
        if (r.content.length === 0) {
          this.anomaly('empty_record', 'zero-length protected handshake record');
          return;
        }
        this.decrypting = true;
        try {
          this.onHandshakeRecord(r.content);
        } finally {
          this.decrypting = false;
        }
        return;
      case CT_ALERT:
        if (r.content.length % 2 !== 0) {
          this.anomaly('malformed_alert', `protected alert of ${r.content.length} bytes`);
          return;
        }
        for (let k = 0; k + 1 < r.content.length; k += 2) {
          this.emit({ kind: 'alert', level: r.content[k]!, description: r.content[k + 1]!, encrypted: false, at: this.at });
        }
        return;
      default:
        // application data under handshake keys (or an unexpected inner type): length only
        this.emit({ kind: 'application_data', length: r.content.length, at: this.at });
    }
  }

  /**
   * An alert record after the switch to protected records: read when the
   * bulk cipher is NULL (one alert, then the MAC), else reported as encrypted.
   */
  private protectedAlert(len: number): void {
    const mac = this.plainMac;
    if (mac > 0 && !this.tls13 && len === mac + 2) {
      this.macTail = mac;
      return this.beginBody(true, true);
    }
    this.emit({ kind: 'alert', level: null, description: null, encrypted: true, at: this.at });
    this.beginBody(false);
  }

  /** Alert (RFC 8446 6, RFC 5246 7.2): level(1) description(1). */
  private onAlert(body: Uint8Array): void {
    if (body.length % 2 !== 0) {
      this.anomaly('malformed_alert', `alert record of ${body.length} bytes`);
      this.emit({ kind: 'alert', level: null, description: null, encrypted: true, at: this.at });
      return;
    }
    if (this.ccsAmbiguous && body.length !== 2) {
      this.emit({ kind: 'alert', level: null, description: null, encrypted: true, at: this.at });
      return;
    }
    for (let k = 0; k + 1 < body.length; k += 2) {
      this.emit({ kind: 'alert', level: body[k]!, description: body[k + 1]!, encrypted: false, at: this.at });
    }
  }

  /** ChangeCipherSpec (RFC 5246 7.1; RFC 8446 5 and D.4 for the compatibility CCS). */
  private onCcs(body: Uint8Array): void {
    if (body.length !== 1 || body[0] !== 1) {
      this.anomaly('malformed_change_cipher_spec', `${body.length} bytes`);
    }
    this.emit({ kind: 'change_cipher_spec', at: this.at });
    if (this.tls13 || this.sawHrr || this.encrypted) return;
    this.dropPartialHandshake();
    if (this.offered13) this.ccsAmbiguous = true;
    else this.encrypted = true;
  }

  /** Heartbeat (RFC 6520 4): type(1), payload_length(2), payload, padding (>= 16). */
  private onHeartbeat(body: Uint8Array): void {
    if (body.length < 3) {
      this.emit({ kind: 'heartbeat', length: body.length, messageType: body.length > 0 ? body[0]! : null, payloadLength: null, encrypted: false, at: this.at });
      this.anomaly('malformed_heartbeat', `heartbeat record of ${body.length} bytes`);
      return;
    }
    const payloadLength = (body[1]! << 8) | body[2]!;
    this.emit({ kind: 'heartbeat', length: body.length, messageType: body[0]!, payloadLength, encrypted: false, at: this.at });
    if (payloadLength + 3 + 16 > body.length) {
      this.anomaly('heartbeat_length_mismatch', `payload_length ${payloadLength} in a ${body.length}-byte record`);
    }
  }

  private onSslv2(body: Uint8Array): void {
    const t = body[0];
    if (t === undefined) return;
    if (t === SSLV2_CLIENT_HELLO) {
      const d = decodeSslv2ClientHello(body);
      const ev: TlsEvent = { kind: 'handshake', msgType: 1, length: body.length, body: { type: 'client_hello', hello: d.value }, recordVersion: 2, at: this.at };
      if (this.keepRaw) ev.raw = keepRawMessage(-1, body);
      this.emit(ev);
      this.problems(d.problems);
      return;
    }
    if (this.records === 1 && t !== SSLV2_SERVER_HELLO) {
      this.stop('invalid_content_type', `SSLv2 record starting with message type ${t}`);
      return;
    }
    this.emit({ kind: 'sslv2', msgType: t, length: body.length, at: this.at });
    if (t === SSLV2_CLIENT_MASTER_KEY || t === SSLV2_SERVER_HELLO) this.sslv2Encrypted = true;
  }

  // ---------------------------------------------------------------- handshake

  private dropPartialHandshake(): void {
    if (this.hsFill > 0) this.anomaly('handshake_incomplete_at_key_change', `${this.hsFill} bytes of a handshake message dropped`);
    this.hsFill = 0;
    this.hsSkip = 0;
  }

  private onHandshakeRecord(data: Uint8Array): void {
    if (this.encrypted && !this.decrypting) {
      this.emit({ kind: 'encrypted_handshake', length: data.length, at: this.at });
      return;
    }
    if (this.ccsAmbiguous && !this.decrypting) {
      // plaintext only if it frames as a complete ClientHello (RFC 8446 D.4, second ClientHello after HRR)
      const len = data.length >= 4 ? (data[1]! << 16) | (data[2]! << 8) | data[3]! : -1;
      if (this.hsFill === 0 && data[0] === 1 && len >= 38 && len + 4 <= data.length) {
        this.ccsAmbiguous = false;
      } else {
        this.encrypted = true;
        this.ccsAmbiguous = false;
        this.emit({ kind: 'encrypted_handshake', length: data.length, at: this.at });
        return;
      }
    }
    const version = this.recVersion;
    let p = 0;
    const n = data.length;
    while (p < n && !this.stopped) {
      if (this.encrypted && !this.decrypting) {
        this.anomaly('handshake_incomplete_at_key_change', `${n - p} bytes after a key change in the same record`);
        return;
      }
      if (this.hsSkip > 0) {
        const k = Math.min(this.hsSkip, n - p);
        p += k;
        this.hsSkip -= k;
        continue;
      }
      if (this.hsFill === 0 && n - p >= 4) {
        const len = (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!;
        if (len > this.maxHs) {
          this.anomaly('handshake_message_too_long', `type ${data[p]}, ${len} bytes`);
          this.hsSkip = len + 4;
          continue;
        }
        if (n - p >= 4 + len) {
          this.message(data[p]!, data.subarray(p + 4, p + 4 + len), version);
          p += 4 + len;
          continue;
        }
      }
      if (this.hsFill === 0) this.hsVersion = version;
      // partial message: accumulate
      if (this.hsFill < 4) {
        if (this.hsBuf === null) this.hsBuf = takeBuffer(4);
        const k = Math.min(4 - this.hsFill, n - p);
        this.hsBuf.set(data.subarray(p, p + k), this.hsFill);
        this.hsFill += k;
        p += k;
        if (this.hsFill < 4) continue;
        const len = (this.hsBuf[1]! << 16) | (this.hsBuf[2]! << 8) | this.hsBuf[3]!;
        if (len > this.maxHs) {
          this.anomaly('handshake_message_too_long', `type ${this.hsBuf[0]}, ${len} bytes`);
          this.hsSkip = len;
          this.hsFill = 0;
          continue;
        }
      }
      const head = this.hsBuf!;
      const len = (head[1]! << 16) | (head[2]! << 8) | head[3]!;
      const k = Math.min(4 + len - this.hsFill, n - p);
      // grown as the message's bytes arrive, not sized from its claimed length (up to maxHs)
      const buf = (this.hsBuf = grown(this.hsBuf, this.hsFill, this.hsFill + k, 4 + len));
      buf.set(data.subarray(p, p + k), this.hsFill);
      this.hsFill += k;
      p += k;
      if (this.hsFill === 4 + len) {
        this.hsFill = 0;
        this.message(buf[0]!, buf.subarray(4, 4 + len), this.hsVersion);
        if (this.hsBuf === buf && this.hsFill === 0) {
          this.hsBuf = null;
          giveBuffer(buf); // large ones are not kept
        }
      }
    }
  }

  /** Decode one complete handshake message and emit it. */
  private message(msgType: number, body: Uint8Array, recordVersion: number): void {
    let out: HandshakeBody;
    let problems: Problem[] = [];
    switch (msgType) {
      case 1: {
        const d = decodeClientHello(body, recordVersion);
        if (d.value.supported_versions.some(isTls13Version)) this.offered13 = true;
        out = { type: 'client_hello', hello: d.value };
        problems = d.problems;
        break;
      }
      case 2: {
        const d = decodeServerHello(body);
        const h = d.value;
        out = { type: 'server_hello', hello: h };
        problems = d.problems;
        if (h.hello_retry_request) this.sawHrr = true;
        else {
          this.cipherSuite = h.cipher_suite;
          if (isTls13Version(h.selected_version ?? h.version)) this.tls13 = true;
        }
        break;
      }
      default: {
        const d = decodeHandshakeMessage(msgType, body, this.cipherSuite);
        out = d.value;
        problems = d.problems;
      }
    }
    const ev: TlsEvent = { kind: 'handshake', msgType, length: body.length, body: out, recordVersion, at: this.at };
    if (this.keepRaw) ev.raw = keepRawMessage(msgType, body);
    this.emit(ev);
    this.problems(problems);
    // RFC 8446 7.2: after its Finished the sender uses application traffic keys, which are never used here
    if (msgType === 20 && this.decrypting) this.decryptor = null;
    // RFC 8446 2: after a TLS 1.3 ServerHello, the server's records are encrypted.
    if (msgType === 2 && this.tls13 && !this.encrypted) this.encrypted = true;
  }
}

