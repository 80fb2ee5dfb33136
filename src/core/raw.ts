/**
 * Raw handshake messages of a session, for the terminal UI's hex view. Kept
 * only when analyze() is asked to (`keepRaw`), never exported: they hang off
 * the Session under a symbol key, which JSON.stringify skips.
 */
import type { Session } from './model.js';
import { ChainCache, mix, mixSampled } from './chain-cache.js';

export interface RawMessage {
  from: 'client' | 'server';
  /** Handshake type (1 ClientHello, 2 ServerHello, 11 Certificate...); -1 for an SSLv2 CLIENT-HELLO. */
  type: number;
  /** The whole message as on the wire: 4-byte handshake header + body (SSLv2: from msg_type on). A copy (keepRawMessage), shared by sessions whose message was the same: read-only. */
  bytes: Uint8Array;
  /** Frame number of the packet that completed the message, when known. */
  frame?: number;
}

export const RAW_MESSAGES: unique symbol = Symbol('tlsscope.rawMessages');

type WithRaw = Session & { [RAW_MESSAGES]?: RawMessage[] };

export function rawMessages(s: Session): readonly RawMessage[] | undefined {
  return (s as WithRaw)[RAW_MESSAGES];
}

export function setRawMessages(s: Session, list: RawMessage[]): void {
  (s as WithRaw)[RAW_MESSAGES] = list;
}

/**
 * Copies of raw messages are packed into shared slabs of this size: an
 * ArrayBuffer of its own costs about 240 bytes beside its content, and a
 * session keeps about nine messages. A message above OWN_BYTES gets a buffer
 * of its own (a slab must not be held alive by one view of a large message
 * it could not hold anyway).
 */
const SLAB_BYTES = 64 * 1024;
const OWN_BYTES = 8 * 1024;
let slab = new Uint8Array(0);
let slabUsed = 0;

interface KeptMessage {
  /** -1: kept without a header (SSLv2 CLIENT-HELLO). */
  type: number;
  bytes: Uint8Array;
  next: KeptMessage | undefined;
}
/**
 * Messages kept lately, by a hash of their content: a server sends the same
 * Certificate message on every connection. Bounded in entries and in the
 * size of what it remembers (at most RECENT_MAX messages of at most
 * RECENT_MAX_BYTES), so it pins little beyond what the sessions keep.
 */
const RECENT_MAX = 1024;
const RECENT_MAX_BYTES = 16 * 1024;
const recent = new ChainCache<KeptMessage>(RECENT_MAX);

function sameBody(kept: Uint8Array, at: number, body: Uint8Array): boolean {
  if (kept.length - at !== body.length) return false;
  return Buffer.from(kept.buffer, kept.byteOffset + at, body.length).equals(body);
}

/**
 * A copy of a handshake message for the hex view (`keepRaw`): the 4-byte
 * handshake header (RFC 8446 section 4: msg_type, uint24 length) then `body`;
 * `type` -1 keeps `body` alone (an SSLv2 CLIENT-HELLO from its msg_type on).
 * Never a view of `body`, whose memory the capture reader reuses. A message
 * equal to one kept lately is that same copy (read-only, like every RawMessage).
 */
export function keepRawMessage(type: number, body: Uint8Array): Uint8Array {
  const head = type >= 0 ? 4 : 0;
  const len = body.length;
  const n = head + len;
  const remember = n <= RECENT_MAX_BYTES;
  let h = 0;
  if (remember) {
    // hash: the type, the length, about 64 bytes spread over the message and its last 16
    h = mixSampled(mix(type, len), body, 64, 16);
    for (let e = recent.head(h); e !== undefined; e = e.next) if (e.type === type && sameBody(e.bytes, head, body)) return e.bytes;
  }
  let out: Uint8Array;
  if (n > OWN_BYTES) out = new Uint8Array(n);
  else {
    if (slabUsed + n > slab.length) {
      slab = new Uint8Array(SLAB_BYTES);
      slabUsed = 0;
    }
    out = slab.subarray(slabUsed, slabUsed + n);
    slabUsed += n;
  }
  if (head > 0) {
    out[0] = type;
    out[1] = (len >>> 16) & 0xff;
    out[2] = (len >>> 8) & 0xff;
    out[3] = len & 0xff;
  }
  out.set(body, head);
  if (remember) recent.add(h, { type, bytes: out, next: undefined });
  return out;
}
