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

/** Timing values per group key, added one session at a time (two numbers per session are kept). */
export class TimingGroups {
  private readonly groups = new Map<string, { count: number; hs: number[]; chsh: number[] }>();

  add(key: string, s: Pick<Session, 'timing'>): void {
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { count: 0, hs: [], chsh: [] }));
    g.count++;
    if (s.timing.handshake_ms !== null) g.hs.push(s.timing.handshake_ms);
    if (s.timing.client_hello_to_server_hello_ms !== null) g.chsh.push(s.timing.client_hello_to_server_hello_ms);
  }

  /** The aggregates, keys in sorted order. */
  record(): Record<string, TimingAggregate> {
    const out: Record<string, TimingAggregate> = {};
    for (const k of [...this.groups.keys()].sort()) {
      const g = this.groups.get(k)!;
      out[k] = { count: g.count, handshake_ms: percentiles(g.hs), client_hello_to_server_hello_ms: percentiles(g.chsh) };
    }
    return out;
  }
}

export function timingAggregates(sessions: readonly TimedSession[]): TimingAggregates {
  const byName = new TimingGroups();
  const byServer = new TimingGroups();
  for (const s of sessions) {
    if (s.server_name) byName.add(s.server_name, s);
    byServer.add(serverAddress(s), s);
  }
  return { by_server_name: byName.record(), by_server: byServer.record() };
}
