/** The `flows` view: one JSON object per TCP/UDP conversation. */
import type { Endpoint } from '../core/types.js';
import { tsToEpoch, tsToIso } from '../core/time.js';
import type { FlowInfo } from '../reassembly/types.js';

export interface FlowDirJson {
  packets: number;
  bytes: number;
  reassembled: number;
  gaps: number;
  gap_bytes: number;
  retransmissions: number;
  out_of_order: number;
}

export interface FlowJson {
  id: number;
  transport: 'tcp' | 'udp';
  client: Endpoint;
  server: Endpoint;
  /** How the roles were decided: 'syn', 'synack', 'consumer' (ClientHello), 'port' (heuristic). */
  roles: string;
  tunnel?: string;
  start_time: string;
  end_time: string;
  start_ts: number;
  end_ts: number;
  /** Frames both ways. */
  packets: number;
  bytes: number;
  client_to_server: FlowDirJson;
  server_to_client: FlowDirJson;
  midstream: boolean;
  truncated: boolean;
  anomalies: string[];
}

export function flowToJson(f: FlowInfo): FlowJson {
  const clientIsA = f.clientIsA ?? f.a.port > f.b.port;
  const [c, s] = clientIsA ? [0, 1] : [1, 0];
  const dj = (i: number): FlowDirJson => {
    const d = f.stats[i as 0 | 1];
    return {
      packets: d.packets, bytes: d.bytes, reassembled: d.reassembled, gaps: d.gaps, gap_bytes: d.gapBytes,
      retransmissions: d.retransmissions, out_of_order: d.outOfOrder,
    };
  };
  const cs = dj(c);
  const sc = dj(s);
  const o: FlowJson = {
    id: f.id,
    transport: f.transport,
    client: clientIsA ? f.a : f.b,
    server: clientIsA ? f.b : f.a,
    roles: f.roleSource ?? 'port',
    start_time: tsToIso(f.firstTs),
    end_time: tsToIso(f.lastTs),
    start_ts: tsToEpoch(f.firstTs),
    end_ts: tsToEpoch(f.lastTs),
    packets: cs.packets + sc.packets,
    bytes: cs.bytes + sc.bytes,
    client_to_server: cs,
    server_to_client: sc,
    midstream: f.midstream,
    truncated: f.truncated,
    anomalies: [...new Set(f.anomalies.map((a) => a.code))],
  };
  if (f.tunnel) o.tunnel = f.tunnel;
  return o;
}
