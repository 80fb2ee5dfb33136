/** A DecodeSink that copies what it receives, for assertions. */
import type { Anomaly } from '../../src/core/types.js';
import type { DecodeSink, Segment } from '../../src/decode/types.js';
import { Decoder, type DecoderOptions } from '../../src/decode/decoder.js';
import type { Packet } from '../../src/core/types.js';

export type SegCopy = Omit<Segment, 'payload' | 'vlans' | 'tcpOptions'> & { payload: number[]; vlans: number[]; tcpOptions: Segment['tcpOptions'] };

export class Collect implements DecodeSink {
  segs: SegCopy[] = [];
  anomalies: Anomaly[] = [];
  segment(s: Segment): void {
    this.segs.push({ ...s, payload: Array.from(s.payload), vlans: [...s.vlans], tcpOptions: s.tcpOptions ? { ...s.tcpOptions } : undefined });
  }
  anomaly(a: Anomaly): void {
    this.anomalies.push(a);
  }
  codes(): string[] {
    return this.anomalies.map((a) => a.code);
  }
}

export function run(packets: Packet[], opts?: DecoderOptions): { c: Collect; d: Decoder } {
  const c = new Collect();
  const d = new Decoder(c, opts);
  for (const p of packets) d.decode(p);
  return { c, d };
}
