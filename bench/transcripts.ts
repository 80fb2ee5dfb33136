/**
 * Real TLS conversations for the benchmark captures: read committed fixtures
 * (recorded with node:tls) through the product's own capture reader, decoder
 * and reassembler, and keep, per TCP connection, the bytes each side sent and
 * when. The generator replays them with other addresses and timestamps.
 */
import { openCapture } from '../src/capture/open.js';
import { Decoder } from '../src/decode/decoder.js';
import type { Segment } from '../src/decode/types.js';
import { Reassembler } from '../src/reassembly/reassembler.js';
import type { FlowInfo, StreamConsumer } from '../src/reassembly/types.js';
import type { Dir, Packet, Ts } from '../src/core/types.js';

/** One burst of bytes from one side. `fromClient` is relative to the TCP client. */
export interface ConvEvent {
  fromClient: boolean;
  /** Microseconds after the first data byte of the conversation. */
  tUs: number;
  data: Uint8Array;
}

export interface Conversation {
  name: string;
  events: ConvEvent[];
  bytes: number;
}

/** Clean fixtures with successful handshakes (no loss, no reordering). */
export const HANDSHAKE_FIXTURES = [
  'fixtures/tls12-ecdhe.pcap',
  'fixtures/tls12-rsa.pcap',
  'fixtures/tls13.pcap.gz',
  'fixtures/tls13.pcapng',
  'fixtures/hrr.pcapng',
  'fixtures/resumption.pcapng',
  'fixtures/alpn-sni-clientcert.pcapng',
];

const tsUs = (t: Ts): number => t.sec * 1e6 + Math.floor(t.nsec / 1000);

interface Rec {
  flow: FlowInfo;
  chunks: { dir: Dir; tUs: number; data: Uint8Array }[];
}

export async function extractConversations(paths: readonly string[]): Promise<Conversation[]> {
  const out: Conversation[] = [];
  for (const path of paths) {
    const recs: Rec[] = [];
    const reasm = new Reassembler((flow: FlowInfo): StreamConsumer | undefined => {
      if (flow.transport !== 'tcp') return undefined;
      const rec: Rec = { flow, chunks: [] };
      recs.push(rec);
      return {
        data(dir: Dir, chunk: Uint8Array, ts: Ts): void {
          rec.chunks.push({ dir, tUs: tsUs(ts), data: chunk.slice() });
        },
        gap(): void {
          throw new Error(`${path}: gap in a fixture conversation`);
        },
        end(): void {},
      };
    });
    const dec = new Decoder({ segment: (s: Segment) => reasm.segment(s), anomaly: () => {} });
    const reader = await openCapture(path);
    await reader.run((p: Packet) => dec.decode(p));
    dec.finish();
    reasm.finish();
    for (const [i, r] of recs.entries()) {
      if (r.chunks.length === 0) continue;
      const clientIsA = r.flow.clientIsA !== false;
      const t0 = r.chunks[0]!.tUs;
      const events: ConvEvent[] = [];
      let bytes = 0;
      for (const c of r.chunks) {
        const fromClient = (c.dir === 0) === clientIsA;
        const last = events[events.length - 1];
        const tUs = c.tUs - t0;
        bytes += c.data.length;
        // Coalesce back-to-back chunks of the same side sent within 1 ms.
        if (last && last.fromClient === fromClient && tUs - last.tUs < 1000) {
          const merged = new Uint8Array(last.data.length + c.data.length);
          merged.set(last.data, 0);
          merged.set(c.data, last.data.length);
          last.data = merged;
        } else {
          events.push({ fromClient, tUs, data: c.data });
        }
      }
      // The first bytes must come from the client (ClientHello).
      if (!events[0]?.fromClient) continue;
      out.push({ name: `${path.replace(/^.*\//, '')}#${i}`, events, bytes });
    }
  }
  if (out.length === 0) throw new Error('no conversation extracted from the fixtures');
  return out;
}
