/**
 * TLS secrets in the NSS key log format (SSLKEYLOGFILE; also the content of
 * pcapng Decryption Secrets Blocks of type 0x544c534b): one
 * `LABEL <client_random hex> <secret hex>` per line, `#` comments.
 * Secrets are kept by client random in a bounded map and never logged.
 */
import { readFileSync } from 'node:fs';
import type { DecryptionSecret } from '../capture/types.js';
import { CaptureError } from '../core/types.js';

/** pcapng Decryption Secrets Block type of a TLS key log (RFC draft pcapng 4.7). */
export const DSB_TLS_KEYLOG_TYPE = 0x544c534b;
/** Client randoms kept at most; the oldest are dropped beyond. */
export const KEYLOG_MAX_ENTRIES = 100_000;

/** Labels kept (RFC 8446 7.1 traffic secrets, NSS names; TLS <= 1.2 master secret). */
export const KEYLOG_LABELS = [
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'EXPORTER_SECRET',
  'EARLY_EXPORTER_SECRET',
  'CLIENT_RANDOM',
] as const;
export type KeyLogLabel = (typeof KEYLOG_LABELS)[number];
const LABELS = new Set<string>(KEYLOG_LABELS);

export type KeyLogEntry = Partial<Record<KeyLogLabel, Uint8Array>>;

export interface KeyLogParseStats {
  /** Lines that gave a secret. */
  secrets: number;
  /** Non-empty, non-comment lines that did not parse (wrong field count, bad hex, wrong lengths). */
  bad: number;
  /** Well-formed lines with a label not kept (e.g. RSA, unknown). */
  ignored: number;
}

const HEX = /^[0-9a-fA-F]+$/;

function hexBytes(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !HEX.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** Secrets by ClientHello random (lowercase hex, 64 digits). */
export class KeyLog {
  private readonly map = new Map<string, KeyLogEntry>();

  constructor(private readonly maxEntries = KEYLOG_MAX_ENTRIES) {}

  get size(): number {
    return this.map.size;
  }

  /** The secrets logged for a ClientHello random (hex, any case). */
  get(clientRandom: string): KeyLogEntry | undefined {
    return this.map.get(clientRandom.toLowerCase());
  }

  /** Parse key log text (any line endings) and keep its secrets. */
  addText(text: string): KeyLogParseStats {
    const st: KeyLogParseStats = { secrets: 0, bad: 0, ignored: 0 };
    for (const raw of text.split(/\r?\n|\r/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const f = line.split(/\s+/);
      if (f.length !== 3) {
        st.bad++;
        continue;
      }
      const [label, cr, sec] = f as [string, string, string];
      const random = cr.length === 64 ? hexBytes(cr) : undefined;
      const secret = sec.length >= 32 && sec.length <= 128 ? hexBytes(sec) : undefined;
      if (!random || !secret) {
        st.bad++;
        continue;
      }
      if (!LABELS.has(label)) {
        st.ignored++;
        continue;
      }
      this.put(cr.toLowerCase(), label as KeyLogLabel, secret);
      st.secrets++;
    }
    return st;
  }

  /** Keep the secrets of a pcapng Decryption Secrets Block when it holds a TLS key log. */
  addSecret(s: DecryptionSecret): KeyLogParseStats | undefined {
    if (s.type !== DSB_TLS_KEYLOG_TYPE) return undefined;
    return this.addText(Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength).toString('latin1'));
  }

  private put(random: string, label: KeyLogLabel, secret: Uint8Array): void {
    let e = this.map.get(random);
    if (!e) {
      if (this.map.size >= this.maxEntries) {
        const oldest = this.map.keys().next();
        if (!oldest.done) this.map.delete(oldest.value);
      }
      e = {};
      this.map.set(random, e);
    }
    e[label] = secret;
  }
}

/**
 * Reads a key log file (`--keylog`). An unreadable file is a CaptureError; the
 * returned warnings (one line each, no secrets) say when lines were not understood.
 */
export function loadKeyLogFile(file: string, into: KeyLog = new KeyLog()): { keylog: KeyLog; warnings: string[] } {
  let text: string;
  try {
    text = readFileSync(file).toString('latin1');
  } catch (e) {
    throw new CaptureError(file, 0, `cannot read key log: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const st = into.addText(text);
  const warnings: string[] = [];
  if (st.bad > 0) warnings.push(`${file}: ${st.bad} line${st.bad === 1 ? '' : 's'} not in the NSS key log format (LABEL CLIENT_RANDOM SECRET) ignored`);
  if (st.secrets === 0) warnings.push(`${file}: no TLS secrets found`);
  return { keylog: into, warnings };
}
