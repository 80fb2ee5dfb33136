/**
 * Raw handshake messages of a session, for the terminal UI's hex view. Kept
 * only when analyze() is asked to (`keepRaw`), never exported: they hang off
 * the Session under a symbol key, which JSON.stringify skips.
 */
import type { Session } from './model.js';

export interface RawMessage {
  from: 'client' | 'server';
  /** Handshake type (1 ClientHello, 2 ServerHello, 11 Certificate...); -1 for an SSLv2 CLIENT-HELLO. */
  type: number;
  /** The whole message as on the wire: 4-byte handshake header + body (SSLv2: from msg_type on). A copy. */
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
