/** Plain-text renderings for the terminal. Every wire string passes through safeText(). */
import type { Session } from '../core/model.js';
import type { FlowJson } from '../export/flows.js';
import { safeText } from '../session/safe-text.js';

function ep(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function shortVersion(name: string | null): string {
  if (!name) return '-';
  return name.replace(/^TLS /, 'TLS').replace(/^SSL /, 'SSL');
}

/**
 * Short status word: ok, ok(resumed), WARN:<code> (established, but with a
 * high-severity finding such as an expired certificate the client accepted),
 * FAILED:<code>, no-server-hello, incomplete.
 */
export function sessionStatus(s: Session): string {
  const bad = s.findings.find((f) => f.severity === 'high');
  if (s.established) return bad ? `WARN:${bad.code}` : s.resumed ? 'ok(resumed)' : 'ok';
  if (bad) return `FAILED:${bad.code}`;
  if (!s.flags.server_hello_seen) return 'no-server-hello';
  return 'incomplete';
}

const TIME_W = 23;

export function listHeader(): string {
  return [pad('TIME (UTC)', TIME_W), pad('CLIENT', 21), '->', pad('SERVER', 21), pad('SNI', 28), pad('VERSION', 9), pad('CIPHER', 40), pad('ALPN', 9), 'STATUS'].join(' ');
}

export function renderListLine(s: Session): string {
  const time = s.start_time.replace('T', ' ').slice(0, TIME_W);
  const sni = s.server_name === null ? '-' : safeText(s.server_name);
  const alpn = s.alpn === null ? '-' : safeText(s.alpn);
  return [
    pad(time, TIME_W),
    pad(ep(s.client), 21),
    '->',
    pad(ep(s.server), 21),
    pad(sni, 28),
    pad(shortVersion(s.version_name), 9),
    pad(s.cipher_suite_name ?? '-', 40),
    pad(alpn, 9),
    sessionStatus(s),
  ].join(' ');
}

export function flowsHeader(): string {
  return [pad('ID', 5), pad('PROTO', 5), pad('CLIENT', 42), pad('SERVER', 42), pad('FIRST (UTC)', 23), pad('LAST (UTC)', 23),
    pad('PKTS c>s', 9), pad('PKTS s>c', 9), pad('BYTES c>s', 11), pad('BYTES s>c', 11), pad('REASM', 11), pad('GAPS', 5), 'ANOMALIES'].join(' ');
}

export function renderFlowLine(f: FlowJson): string {
  const gaps = f.client_to_server.gaps + f.server_to_client.gaps;
  return [
    pad(String(f.id), 5),
    pad(f.transport + (f.tunnel ? '*' : ''), 5),
    pad(ep(f.client), 42),
    pad(ep(f.server), 42),
    pad(f.start_time.replace('T', ' ').slice(0, 23), 23),
    pad(f.end_time.replace('T', ' ').slice(0, 23), 23),
    pad(String(f.client_to_server.packets), 9),
    pad(String(f.server_to_client.packets), 9),
    pad(String(f.client_to_server.bytes), 11),
    pad(String(f.server_to_client.bytes), 11),
    pad(String(f.client_to_server.reassembled + f.server_to_client.reassembled), 11),
    pad(String(gaps), 5),
    f.anomalies.join(',') || '-',
  ].join(' ');
}

export function flowsFooter(count: number, tunneled: boolean): string {
  return `${count} conversation${count === 1 ? '' : 's'}` + (tunneled ? ' (* = inside a tunnel)' : '');
}
