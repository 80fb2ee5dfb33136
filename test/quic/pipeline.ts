/**
 * Test-only wiring (src/analyze.ts is not ours): capture -> decoder ->
 * reassembler -> UdpTlsConsumer for UDP flows (TCP flows get no consumer) ->
 * finalizeSession. Returns the UDP sessions of a capture.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '../../src/core/model.js';
import type { Packet } from '../../src/core/types.js';
import { openCapture } from '../../src/capture/open.js';
import { Decoder } from '../../src/decode/decoder.js';
import type { Segment } from '../../src/decode/types.js';
import { Reassembler } from '../../src/reassembly/reassembler.js';
import type { FlowInfo } from '../../src/reassembly/types.js';
import { finalizeSession } from '../../src/session/finalize.js';
import { UdpTlsConsumer } from '../../src/session/udp.js';

export const CAPTURES = fileURLToPath(new URL('../../../shared/captures', import.meta.url));
export const HAVE_CAPTURES = existsSync(CAPTURES);

export async function udpSessions(path: string): Promise<Session[]> {
  const sessions: Session[] = [];
  const reader = await openCapture(path);
  const reasm = new Reassembler((flow: FlowInfo) => {
    if (flow.transport !== 'udp') return undefined;
    return new UdpTlsConsumer(flow, (s, raw) => {
      sessions.push(finalizeSession(s, raw, { now: new Date('2025-01-01T00:00:00Z') }).session);
    });
  });
  const decoder = new Decoder({ segment: (seg: Segment) => reasm.segment(seg), anomaly: () => {} });
  await reader.run((p: Packet) => decoder.decode(p));
  decoder.finish();
  reasm.finish();
  sessions.sort((x, y) => x.start_ts - y.start_ts || x.flow_id - y.flow_id || x.handshake_index - y.handshake_index);
  return sessions;
}

export function capture(set: string, name: string): string {
  return join(CAPTURES, set, name);
}

export interface ExpectedTshark {
  transport: string;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
  client_hellos?: number;
  server_hellos?: number;
  client_hello?: Record<string, unknown>;
  server_hello?: Record<string, unknown>;
}
