/**
 * TLS 1.3 record protection (RFC 8446 5.2, 5.3, 7.1, 7.3): traffic keys from
 * a traffic secret, and opening of protected records (TLSCiphertext) into
 * TLSInnerPlaintext. Only handshake-key records are opened by tlsscope;
 * application data is never decrypted. Never throws: failures come back as
 * undefined.
 */
import { createDecipheriv, createHmac } from 'node:crypto';

export type HashName = 'sha256' | 'sha384';
type Aead = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

/** The TLS 1.3 cipher suites whose records can be opened: AEAD, key length and HKDF hash. */
const SUITES: Record<number, { aead: Aead; keyLen: number; hash: HashName }> = {
  0x1301: { aead: 'aes-128-gcm', keyLen: 16, hash: 'sha256' },
  0x1302: { aead: 'aes-256-gcm', keyLen: 32, hash: 'sha384' },
  0x1303: { aead: 'chacha20-poly1305', keyLen: 32, hash: 'sha256' },
};

const TAG_LEN = 16;

/** HKDF-Expand (RFC 5869 2.3). */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const out: Buffer[] = [];
  let t: Buffer = Buffer.alloc(0);
  let have = 0;
  for (let i = 1; have < length; i++) {
    t = createHmac(hash, prk).update(t).update(info).update(Buffer.from([i])).digest();
    out.push(t);
    have += t.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** HKDF-Expand-Label (RFC 8446 7.1): HkdfLabel = length(2) || "tls13 " + label <7..255> || context <0..255>. */
export function hkdfExpandLabel(hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Buffer {
  const full = Buffer.from('tls13 ' + label, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1 + context.length);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = context.length;
  Buffer.from(context.buffer, context.byteOffset, context.byteLength).copy(info, 4 + full.length);
  return hkdfExpand(hash, secret, info, length);
}

export interface TrafficKeys {
  aead: Aead;
  key: Buffer;
  iv: Buffer;
}

/** Write key and IV of a traffic secret (RFC 8446 7.3); undefined for a suite that cannot be opened. */
export function trafficKeys(suite: number, secret: Uint8Array): TrafficKeys | undefined {
  const s = SUITES[suite];
  if (!s) return undefined;
  const empty = new Uint8Array(0);
  return {
    aead: s.aead,
    key: hkdfExpandLabel(s.hash, secret, 'key', empty, s.keyLen),
    iv: hkdfExpandLabel(s.hash, secret, 'iv', empty, 12),
  };
}

export interface OpenedRecord {
  /** TLSInnerPlaintext.type: the real content type. */
  contentType: number;
  /** TLSInnerPlaintext.content (padding removed). */
  content: Uint8Array;
}

/**
 * Opens the protected records of one direction and one key epoch, in order
 * (the per-record nonce is the IV XOR the 64-bit sequence number, RFC 8446 5.3).
 */
export class RecordOpener {
  /** Records opened so far (= the next sequence number). */
  seq = 0;
  constructor(private readonly keys: TrafficKeys) {}

  /**
   * Opens one record (`header`: its 5 bytes, the additional data; `body`: the
   * encrypted_record). Undefined when authentication fails (the sequence
   * number then does not advance).
   */
  open(header: Uint8Array, body: Uint8Array): OpenedRecord | undefined {
    if (body.length < TAG_LEN + 1) return undefined;
    const nonce = Buffer.from(this.keys.iv);
    let s = this.seq;
    for (let i = 11; i >= 4 && s > 0; i--) {
      nonce[i]! ^= s % 256;
      s = Math.floor(s / 256);
    }
    let plain: Buffer;
    try {
      const d = createDecipheriv(this.keys.aead, this.keys.key, nonce, { authTagLength: TAG_LEN } as never) as ReturnType<typeof createDecipheriv> & {
        setAAD(b: Uint8Array, o?: unknown): void;
        setAuthTag(b: Uint8Array): void;
      };
      d.setAAD(header, { plaintextLength: body.length - TAG_LEN });
      d.setAuthTag(body.subarray(body.length - TAG_LEN));
      plain = Buffer.concat([d.update(body.subarray(0, body.length - TAG_LEN)), d.final()]);
    } catch {
      return undefined;
    }
    this.seq++;
    // TLSInnerPlaintext (RFC 8446 5.2): content || type || zeros
    let n = plain.length - 1;
    while (n >= 0 && plain[n] === 0) n--;
    if (n < 0) return { contentType: 0, content: new Uint8Array(0) };
    return { contentType: plain[n]!, content: new Uint8Array(plain.buffer, plain.byteOffset, n) };
  }
}
