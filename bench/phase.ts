/**
 * One benchmark phase in its own process (so peak RSS is the phase's own):
 *   node dist/bench/phase.js PHASE FILE
 * Prints one JSON line: {seconds, packets, maxRssKB, ...}. The time is
 * measured inside the process (module loading excluded).
 */
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { openCapture } from '../src/capture/open.js';
import { Decoder } from '../src/decode/decoder.js';
import type { Segment } from '../src/decode/types.js';
import { Reassembler } from '../src/reassembly/reassembler.js';
import type { FlowInfo, StreamConsumer } from '../src/reassembly/types.js';
import type { Packet } from '../src/core/types.js';

export type PhaseName = 'floor' | 'pcap-parser' | 'read' | 'reasm';

interface PhaseResult {
  packets: number;
  /** CaptureInfo.reader of openCapture (which implementation 'auto' picked). */
  reader?: string;
  extra?: Record<string, number>;
}

/**
 * Fastest JS reader: fs.read into one reused 8 MiB buffer, walk the 16-byte
 * record headers (caplen at +8, little-endian: the generated files are), skip
 * the packet bytes.
 */
async function floor(file: string): Promise<PhaseResult> {
  const fh = await open(file, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  let bufStart = 0; // file offset of buf[0]
  let have = 0; // valid bytes in buf
  let rec = 24; // file offset of the next record header
  let packets = 0;
  for (;;) {
    const { bytesRead: n } = await fh.read(buf, have, buf.length - have, bufStart + have);
    if (n === 0) break;
    have += n;
    const end = bufStart + have;
    while (rec + 16 <= end) {
      packets++;
      rec += 16 + buf.readUInt32LE(rec - bufStart + 8);
    }
    if (rec >= end) {
      bufStart = end;
      have = 0;
    } else {
      // partial record header: keep it at the front
      buf.copy(buf, 0, rec - bufStart, have);
      have = end - rec;
      bufStart = rec;
    }
  }
  await fh.close();
  return { packets };
}

function pcapParser(file: string): Promise<PhaseResult> {
  const require = createRequire(import.meta.url);
  const mod = require('pcap-parser') as { parse(input: string): EventEmitter };
  return new Promise((resolve, reject) => {
    let packets = 0;
    const p = mod.parse(file);
    p.on('packet', () => {
      packets++;
    });
    p.on('error', reject);
    p.on('end', () => resolve({ packets }));
  });
}

async function read(file: string): Promise<PhaseResult> {
  let packets = 0;
  const r = await openCapture(file);
  await r.run(() => {
    packets++;
  });
  return { packets, reader: r.info.reader };
}

const NULL_CONSUMER: StreamConsumer = { data() {}, gap() {}, end() {} };

async function reasm(file: string): Promise<PhaseResult> {
  let packets = 0;
  let flows = 0;
  let bytes = 0;
  const rs = new Reassembler((f: FlowInfo) => (f.transport === 'tcp' ? NULL_CONSUMER : undefined), {
    onFlowEnd: (f: FlowInfo) => {
      flows++;
      bytes += f.stats[0].reassembled + f.stats[1].reassembled;
    },
  });
  const dec = new Decoder({ segment: (s: Segment) => rs.segment(s), anomaly: () => {} });
  const r = await openCapture(file);
  await r.run((p: Packet) => {
    packets++;
    dec.decode(p);
  });
  dec.finish();
  rs.finish();
  return { packets, reader: r.info.reader, extra: { flows, reassembledBytes: bytes } };
}

async function main(): Promise<void> {
  const [phase, file] = process.argv.slice(2);
  if (!phase || !file) throw new Error('usage: phase.js PHASE FILE');
  const t0 = process.hrtime.bigint();
  let r: PhaseResult;
  switch (phase) {
    case 'floor':
      r = await floor(file);
      break;
    case 'pcap-parser':
      r = await pcapParser(file);
      break;
    case 'read':
      r = await read(file);
      break;
    case 'reasm':
      r = await reasm(file);
      break;
    default:
      throw new Error(`unknown phase ${phase}`);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, packets: r.packets, maxRssKB: process.resourceUsage().maxRSS, ...(r.reader ? { reader: r.reader } : {}), ...(r.extra ?? {}) }) + '\n');
}

await main();
