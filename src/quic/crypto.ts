/**
 * QUIC Initial packet protection (RFC 9001 section 5; QUIC v2 RFC 9369
 * section 3.3; draft-ietf-quic-tls-29 section 5.2): initial secrets from the
 * client's first Destination Connection ID, header protection with
 * AES-128-ECB, payload protection with AES-128-GCM. Never throws: failures
 * come back as undefined.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;
export const QUIC_DRAFT29 = 0xff00001d;

const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');
/** draft-ietf-quic-tls-29 to -32 share this salt. */
const SALT_DRAFT29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');

/** QUIC versions whose Initial packets can be opened. */
export function isSupportedVersion(v: number): boolean {
  return v === QUIC_V1 || v === QUIC_V2 || (v >= 0xff00001d && v <= 0xff000020);
}

function saltFor(v: number): Buffer | undefined {
  if (v === QUIC_V1) return SALT_V1;
  if (v === QUIC_V2) return SALT_V2;
  if (v >= 0xff00001d && v <= 0xff000020) return SALT_DRAFT29;
  return undefined;
}

/** HKDF-Extract (RFC 5869 2.2) with SHA-256. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** HKDF-Expand-Label (RFC 8446 7.1) with SHA-256 and an empty context; length <= 32. */
export function hkdfExpandLabel(secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from('tls13 ' + label, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = 0;
  // HKDF-Expand (RFC 5869 2.3): one block is enough for <= 32 bytes
  const t1 = createHmac('sha256', secret).update(info).update(Buffer.from([1])).digest();
  return t1.subarray(0, length);
}

export interface PacketKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

export interface InitialSecrets {
  clientSecret: Buffer;
  serverSecret: Buffer;
  client: PacketKeys;
  server: PacketKeys;
}

/** Key, IV and header protection key from a traffic secret (RFC 9001 5.1; v2 labels RFC 9369 3.3.2). */
export function packetKeys(secret: Uint8Array, version: number): PacketKeys {
  const p = version === QUIC_V2 ? 'quicv2 ' : 'quic ';
  return {
    key: hkdfExpandLabel(secret, p + 'key', 16),
    iv: hkdfExpandLabel(secret, p + 'iv', 12),
    hp: hkdfExpandLabel(secret, p + 'hp', 16),
  };
}

/** Initial secrets and keys for both sides (RFC 9001 5.2). Undefined for versions without a known salt. */
export function initialSecrets(version: number, dcid: Uint8Array): InitialSecrets | undefined {
  const salt = saltFor(version);
  if (!salt) return undefined;
  const initial = hkdfExtract(salt, dcid);
  const clientSecret = hkdfExpandLabel(initial, 'client in', 32);
  const serverSecret = hkdfExpandLabel(initial, 'server in', 32);
  return { clientSecret, serverSecret, client: packetKeys(clientSecret, version), server: packetKeys(serverSecret, version) };
}

/** The 5-byte header protection mask: AES-128-ECB of the 16-byte sample (RFC 9001 5.4.3). */
export function headerMask(hp: Uint8Array, sample: Uint8Array): Uint8Array | undefined {
  if (sample.length < 16) return undefined;
  try {
    const c = createCipheriv('aes-128-ecb', hp, null);
    c.setAutoPadding(false);
    return c.update(sample.subarray(0, 16)).subarray(0, 5);
  } catch {
    return undefined;
  }
}

/** AEAD nonce: the IV XORed with the full packet number, left-padded (RFC 9001 5.3). */
export function nonceFor(iv: Uint8Array, pn: number): Buffer {
  const n = Buffer.from(iv);
  let x = pn;
  for (let i = n.length - 1; i >= n.length - 8 && x > 0; i--) {
    n[i] = (n[i]! ^ (x % 256)) & 0xff;
    x = Math.floor(x / 256);
  }
  return n;
}

/** AES-128-GCM open; undefined when the tag does not verify. */
export function aeadOpen(keys: PacketKeys, pn: number, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | undefined {
  if (ciphertextAndTag.length < 16) return undefined;
  try {
    const d = createDecipheriv('aes-128-gcm', keys.key, nonceFor(keys.iv, pn));
    d.setAAD(aad);
    d.setAuthTag(ciphertextAndTag.subarray(ciphertextAndTag.length - 16));
    const a = d.update(ciphertextAndTag.subarray(0, ciphertextAndTag.length - 16));
    const b = d.final();
    return b.length === 0 ? a : Buffer.concat([a, b]);
  } catch {
    return undefined;
  }
}

/** RFC 9000 A.3: the full packet number closest to `largest + 1` with the given low bits. */
export function decodePacketNumber(largest: number, truncated: number, pnBits: number): number {
  const expected = largest + 1;
  const win = 2 ** pnBits;
  const hwin = win / 2;
  const mask = win - 1;
  const candidate = expected - (expected % win) + truncated; // (expected & ~mask) | truncated without 32-bit ops
  void mask;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}
