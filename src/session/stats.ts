/** Percentiles and per-server timing aggregates. */
import type { Session } from '../core/model.js';

/** What the timing aggregates read of a session. */
type TimedSession = Pick<Session, 'server' | 'server_name' | 'timing'>;

/** Nearest-rank percentile of already-sorted ascending values (p in (0, 100]); null for an empty list. */
export function percentileSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function percentile(values: readonly number[], p: number): number | null {
  return percentileSorted([...values].sort((a, b) => a - b), p);
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
  };
}

export interface TimingAggregate {
  /** Sessions in the group. */
  count: number;
  /** Over the sessions where the value is known (its own `count`). */
  handshake_ms: Percentiles;
  client_hello_to_server_hello_ms: Percentiles;
}

export interface TimingAggregates {
  /** Keyed by SNI; sessions without SNI are not in this map. */
  by_server_name: Record<string, TimingAggregate>;
  /** Keyed by `ip:port` (`[v6]:port` for IPv6). */
  by_server: Record<string, TimingAggregate>;
}

export function serverAddress(s: Pick<Session, 'server'>): string {
  return s.server.ip.includes(':') ? `[${s.server.ip}]:${s.server.port}` : `${s.server.ip}:${s.server.port}`;
}

function aggregate(group: readonly TimedSession[]): TimingAggregate {
  const hs: number[] = [];
  const chsh: number[] = [];
  for (const s of group) {
    if (s.timing.handshake_ms !== null) hs.push(s.timing.handshake_ms);
    if (s.timing.client_hello_to_server_hello_ms !== null) chsh.push(s.timing.client_hello_to_server_hello_ms);
  }
  return { count: group.length, handshake_ms: percentiles(hs), client_hello_to_server_hello_ms: percentiles(chsh) };
}

function groupBy(sessions: readonly TimedSession[], key: (s: TimedSession) => string | null): Record<string, TimingAggregate> {
  const groups = new Map<string, TimedSession[]>();
  for (const s of sessions) {
    const k = key(s);
    if (k === null) continue;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(s);
  }
  const out: Record<string, TimingAggregate> = {};
  for (const k of [...groups.keys()].sort()) out[k] = aggregate(groups.get(k) as TimedSession[]);
  return out;
}

export function timingAggregates(sessions: readonly TimedSession[]): TimingAggregates {
  return {
    by_server_name: groupBy(sessions, (s) => (s.server_name ? s.server_name : null)),
    by_server: groupBy(sessions, serverAddress),
  };
}
