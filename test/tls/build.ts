/**
 * A small builder for TLS bytes used by the tests (constructed here, not
 * captured): records, handshake messages, ClientHello/ServerHello from a
 * structure, and common extension bodies (RFC 8446 section 3 presentation
 * language: big-endian, length-prefixed vectors).
 */
import { concat } from '../../tools/fixtures/scenarios/tlsbytes.js';

export type Bytes = Uint8Array;

export function hex(s: string): Bytes {
  const t = s.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(i * 2, i * 2 + 2), 16);
  return out;
}
export function cat(...parts: (Bytes | number[])[]): Bytes {
  return concat(parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p))));
}
export const u8 = (v: number): Bytes => Uint8Array.of(v & 0xff);
export const u16 = (v: number): Bytes => Uint8Array.of((v >> 8) & 0xff, v & 0xff);
export const u24 = (v: number): Bytes => Uint8Array.of((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
export const u32 = (v: number): Bytes => Uint8Array.of((v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
export function vec(lenBytes: 1 | 2 | 3, body: Bytes): Bytes {
  const l = lenBytes === 1 ? u8(body.length) : lenBytes === 2 ? u16(body.length) : u24(body.length);
  return cat(l, body);
}
export const u16s = (vals: number[]): Bytes => cat(...vals.map(u16));
export const ascii = (s: string): Bytes => new TextEncoder().encode(s);

export function record(contentType: number, version: number, body: Bytes): Bytes {
  return cat(u8(contentType), u16(version), u16(body.length), body);
}
export function handshake(msgType: number, body: Bytes): Bytes {
  return cat(u8(msgType), u24(body.length), body);
}

export interface Ext {
  type: number;
  data: Bytes;
}
export const ext = (type: number, data: Bytes = new Uint8Array(0)): Ext => ({ type, data });
export function extensionsBlock(exts: Ext[]): Bytes {
  return vec(2, cat(...exts.map((e) => cat(u16(e.type), vec(2, e.data)))));
}

// extension bodies
export const sni = (name: string): Bytes => vec(2, cat(u8(0), vec(2, ascii(name))));
export const groups = (g: number[]): Bytes => vec(2, u16s(g));
export const sigAlgs = (s: number[]): Bytes => vec(2, u16s(s));
export const pointFormats = (f: number[]): Bytes => vec(1, Uint8Array.from(f));
export const alpn = (p: string[]): Bytes => vec(2, cat(...p.map((s) => vec(1, ascii(s)))));
export const versionsCH = (v: number[]): Bytes => vec(1, u16s(v));
export const keyShareCH = (shares: { group: number; len: number }[]): Bytes =>
  vec(2, cat(...shares.map((s) => cat(u16(s.group), vec(2, new Uint8Array(s.len).fill(0x42))))));
export const keyShareSH = (group: number, len: number): Bytes => cat(u16(group), vec(2, new Uint8Array(len).fill(0x43)));
export const pskModes = (m: number[]): Bytes => vec(1, Uint8Array.from(m));

export interface ClientHelloSpec {
  version?: number;
  random?: Bytes;
  sessionId?: Bytes;
  cipherSuites: number[];
  compression?: number[];
  /** undefined: no extensions block at all */
  extensions?: Ext[];
}
export function clientHelloBody(s: ClientHelloSpec): Bytes {
  return cat(
    u16(s.version ?? 0x0303),
    s.random ?? new Uint8Array(32).fill(0x11),
    vec(1, s.sessionId ?? new Uint8Array(0)),
    vec(2, u16s(s.cipherSuites)),
    vec(1, Uint8Array.from(s.compression ?? [0])),
    s.extensions ? extensionsBlock(s.extensions) : new Uint8Array(0),
  );
}
export const clientHello = (s: ClientHelloSpec): Bytes => handshake(1, clientHelloBody(s));

export interface ServerHelloSpec {
  version?: number;
  random?: Bytes;
  sessionId?: Bytes;
  cipherSuite: number;
  compression?: number;
  extensions?: Ext[];
}
export function serverHelloBody(s: ServerHelloSpec): Bytes {
  return cat(
    u16(s.version ?? 0x0303),
    s.random ?? new Uint8Array(32).fill(0x22),
    vec(1, s.sessionId ?? new Uint8Array(0)),
    u16(s.cipherSuite),
    u8(s.compression ?? 0),
    s.extensions ? extensionsBlock(s.extensions) : new Uint8Array(0),
  );
}
export const serverHello = (s: ServerHelloSpec): Bytes => handshake(2, serverHelloBody(s));

/** The HelloRetryRequest random (RFC 8446 4.1.3). */
export const HRR_RANDOM_BYTES = hex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');

/** SSLv2 record (2-byte header, RFC 6101 E.1) carrying a CLIENT-HELLO. */
export function sslv2ClientHello(version: number, specs: number[], challenge: Bytes, sessionId: Bytes = new Uint8Array(0)): Bytes {
  const cs = cat(...specs.map((v) => Uint8Array.of((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)));
  const msg = cat(u8(1), u16(version), u16(cs.length), u16(sessionId.length), u16(challenge.length), cs, sessionId, challenge);
  return cat(Uint8Array.of(0x80 | (msg.length >> 8), msg.length & 0xff), msg);
}

/** Feed bytes to a new parser in the given chunk sizes; return the events (with `at` removed). */
import { createTlsDirectionParser } from '../../src/tls/parser.js';
import type { TlsDirectionParser, TlsEvent, TlsParserOptions } from '../../src/tls/types.js';
export function run(
  bytes: Bytes,
  chunk = bytes.length || 1,
  opts?: TlsParserOptions,
  before?: (p: TlsDirectionParser) => void,
): { events: TlsEvent[]; parser: TlsDirectionParser } {
  const events: TlsEvent[] = [];
  const p = createTlsDirectionParser((e) => events.push(e), opts);
  before?.(p);
  for (let i = 0; i < bytes.length; i += chunk) {
    p.push(bytes.slice(i, i + chunk), { ts: { sec: 1, nsec: i }, packetIndex: i });
  }
  return { events, parser: p };
}
/** Events without position info, for comparing runs with different chunking. */
export function strip(events: TlsEvent[]): unknown[] {
  return events.map((e) => {
    const o: Record<string, unknown> = { ...e };
    delete o.at;
    if (e.kind === 'anomaly') o.anomaly = { ...e.anomaly, packetIndex: undefined };
    return o;
  });
}
export const kinds = (events: TlsEvent[]): string[] => events.map((e) => e.kind);
