/** Loads the reference data in ../shared/captures/expected (when present) for the fingerprint tests. */
import { fileURLToPath } from 'node:url';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClientHelloJson, ServerHelloJson } from '../../src/core/model.js';
import { makeClientHello, makeServerHello } from './h6-factory.js';

export const CAPTURES = resolve(process.env['TLSSCOPE_CAPTURES'] ?? fileURLToPath(new URL('../../../shared/captures', import.meta.url)));
export const EXPECTED = join(CAPTURES, 'expected');
export const HAVE_EXPECTED = existsSync(join(EXPECTED, 'tshark'));

export interface TsharkEndpoint {
  ip: string;
  port: number;
}
export interface TsharkSession {
  transport: 'tcp' | 'udp';
  client: TsharkEndpoint;
  server: TsharkEndpoint;
  client_hello?: {
    version: number;
    cipher_suites: number[];
    extensions: number[];
    supported_versions?: number[];
    alpn?: string[];
    supported_groups?: number[];
    signature_algorithms?: number[];
    server_name?: string;
    ja3: string;
    ja3_full: string;
  };
  server_hello?: {
    version: number;
    cipher_suite: number;
    extensions: number[];
    selected_version?: number;
    alpn?: string;
    ja3s: string;
  };
}

export interface TsharkFile {
  set: string;
  capture: string;
  sessions: TsharkSession[];
}

export function loadTshark(): TsharkFile[] {
  const out: TsharkFile[] = [];
  const root = join(EXPECTED, 'tshark');
  for (const set of readdirSync(root).sort()) {
    for (const f of readdirSync(join(root, set)).sort()) {
      if (!f.endsWith('.json')) continue;
      const sessions = JSON.parse(readFileSync(join(root, set, f), 'utf8')) as TsharkSession[];
      out.push({ set, capture: f.replace(/\.json$/, ''), sessions });
    }
  }
  return out;
}

export interface Ja4Expected {
  transport: 'tcp' | 'udp';
  client: TsharkEndpoint;
  server: TsharkEndpoint;
  ja4?: string;
}

export function loadJa4(capture: string): Ja4Expected[] {
  const p = join(EXPECTED, 'ja4', `${capture}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Ja4Expected[]) : [];
}

export function endpointKey(s: { transport: string; client: TsharkEndpoint; server: TsharkEndpoint }): string {
  return `${s.transport} ${s.client.ip}:${s.client.port} ${s.server.ip}:${s.server.port}`;
}

/** A ClientHelloJson from tshark's lists; point formats taken from the 5th field of ja3_full. */
export function clientHelloFromTshark(ch: NonNullable<TsharkSession['client_hello']>): ClientHelloJson {
  const pf = ch.ja3_full.split(',')[4] ?? '';
  return makeClientHello({
    version: ch.version,
    cipher_suites: ch.cipher_suites,
    extensions: ch.extensions,
    supported_versions: ch.supported_versions ?? [],
    alpn: ch.alpn ?? [],
    supported_groups: ch.supported_groups ?? [],
    signature_algorithms: ch.signature_algorithms ?? [],
    server_name: ch.server_name ?? null,
    ec_point_formats: pf === '' ? [] : pf.split('-').map(Number),
  });
}

export function serverHelloFromTshark(sh: NonNullable<TsharkSession['server_hello']>): ServerHelloJson {
  return makeServerHello({
    version: sh.version,
    cipher_suite: sh.cipher_suite,
    extensions: sh.extensions,
    ...(sh.selected_version !== undefined ? { selected_version: sh.selected_version } : {}),
    ...(sh.alpn !== undefined ? { alpn: sh.alpn } : {}),
  });
}
