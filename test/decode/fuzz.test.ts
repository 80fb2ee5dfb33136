import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  amsdu,
  avs,
  bytes,
  chdlc,
  concat,
  enc,
  erspan2,
  erspan3,
  ethernet,
  geneve,
  gre,
  ipnet,
  ipv4,
  ipv4Fragments,
  ipv6,
  ipv6Fragments,
  nflog,
  nullLink,
  packet,
  pflog,
  ppi,
  ppp,
  pppoe,
  prism,
  radiotap,
  sll,
  sll2,
  snapLlc,
  tcp,
  tcpOptions,
  udp,
  vxlan,
  wlan,
} from './build.js';
import { Decoder } from '../../src/decode/decoder.js';
import { DECODE_ANOMALIES } from '../../src/decode/anomalies.js';
import type { DecodeSink, Segment } from '../../src/decode/types.js';
import type { Anomaly } from '../../src/core/types.js';
import { TCP_SYN } from '../../src/decode/types.js';

const LINK_TYPES = [0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 109, 113, 117, 119, 127, 163, 166, 192, 204, 205, 226, 228, 229, 239, 276, 147];

/** Checks every segment's invariants as it arrives. */
class Checker implements DecodeSink {
  n = 0;
  segment(s: Segment): void {
    this.n++;
    expect(s.proto === 6 || s.proto === 17).toBe(true);
    expect(s.missing).toBeGreaterThanOrEqual(0);
    expect(s.srcPort).toBeGreaterThanOrEqual(0);
    expect(s.srcPort).toBeLessThan(65536);
    expect(typeof s.srcIp).toBe('string');
    expect(s.payload.length).toBeLessThanOrEqual(65535);
    expect(s.depth).toBeLessThanOrEqual(8);
  }
  anomaly(a: Anomaly): void {
    expect(DECODE_ANOMALIES[a.code], a.code).toBeDefined();
  }
}

const inner = () => ethernet(0x0800, ipv4({ proto: 6, payload: tcp({ payload: bytes(1, 2, 3) }) }), [{ id: 5 }]);
const seeds: Array<[number, Uint8Array]> = [
  [1, ethernet(0x0800, ipv4({ proto: 6, options: bytes(1, 1, 1, 0), payload: tcp({ flags: TCP_SYN, options: tcpOptions({ mss: 1460, wscale: 2, sackPermitted: true, ts: [1, 2] }) }) }), [{ id: 1 }, { tpid: 0x88a8, id: 2 }])],
  [1, ethernet(0x86dd, ipv6({ nh: 17, ext: [{ type: 0 }, { type: 60 }, { type: 51 }], payload: udp({ payload: bytes(1, 2) }) }))],
  [113, sll(0x0800, ipv4({ proto: 47, payload: gre(0x88be, erspan2(inner()), { seq: 1, key: 3, csum: true }) }))],
  [276, sll2(0x0800, ipv4({ proto: 47, payload: gre(0x22eb, erspan3(inner(), { subheader: true }), { seq: 1 }) }))],
  [0, nullLink(2, ipv4({ proto: 17, payload: udp({ dport: 4789, payload: vxlan(inner()) }) }), true)],
  [108, nullLink(24, ipv6({ nh: 17, payload: udp({ dport: 6081, payload: geneve(0x6558, inner(), 2) }) }), false)],
  [101, ipv4({ proto: 4, payload: ipv4({ proto: 41, payload: ipv6({ nh: 6, payload: tcp() }) }) })],
  [101, ipv4Fragments({ proto: 17, payload: udp({ payload: new Uint8Array(100) }), mf: false }, 48)[0]!],
  [101, ipv6Fragments({ nh: 6, payload: tcp({ payload: new Uint8Array(100) }) }, 48)[1]!],
  [1, ethernet(0x0800, ipv4({ proto: 47, payload: gre(0x6558, inner()) }))],
  // link types beyond Ethernet/SLL/raw/loopback (the last NEW_LINK_SEEDS entries)
  [9, ppp(0x21, ipv4({ proto: 6, payload: tcp({ payload: bytes(1) }) }))],
  [50, chdlc(0x86dd, ipv6({ nh: 6, payload: tcp() }))],
  [51, pppoe(0x57, ipv6({ nh: 17, payload: udp({ payload: bytes(1) }) }))],
  [104, chdlc(0x8847, concat(bytes(0, 1, 1, 64), ipv4({ proto: 6, payload: tcp() })))],
  [166, concat(bytes(1, 3, 0, 0x21), ipv4({ proto: 6, payload: tcp() }))],
  [204, concat(bytes(0), ppp(0x21, ipv4({ proto: 6, payload: tcp() })))],
  [205, concat(bytes(1), chdlc(0x0800, ipv4({ proto: 6, payload: tcp() })))],
  [239, nflog(2, ipv4({ proto: 6, payload: tcp({ payload: bytes(1, 2) }) }))],
  [239, nflog(10, ipv6({ nh: 6, payload: tcp() }), { le: false })],
  [117, pflog(28, ipv6({ nh: 6, payload: tcp() }), 69)],
  [109, enc(2, ipv4({ proto: 17, payload: udp({ dport: 4789, payload: vxlan(inner()) }) }))],
  [226, ipnet(26, ipv6({ nh: 6, payload: tcp() }))],
  [105, wlan(snapLlc(0x0800, ipv4({ proto: 6, payload: tcp() })), { toDs: true, fromDs: true, order: true })],
  [105, wlan(amsdu(snapLlc(0x0800, ipv4({ proto: 6, payload: tcp() })), snapLlc(0x86dd, ipv6({ nh: 6, payload: tcp() }))), { amsdu: true })],
  [127, radiotap(concat(wlan(snapLlc(0x0800, ipv4({ proto: 6, payload: tcp() })), { dataPad: true }), bytes(1, 2, 3, 4)), { flags: 0x30, tsft: true, ext: true })],
  [119, prism(wlan(snapLlc(0x0800, ipv4({ proto: 6, payload: tcp() })), { subtype: 0 }))],
  [163, avs(wlan(snapLlc(0x86dd, ipv6({ nh: 6, payload: tcp() }))))],
  [192, ppi(105, wlan(snapLlc(0x0800, ipv4({ proto: 6, payload: tcp() }))), 12)],
];
const NEW_LINK_SEEDS = 18;

describe('fuzz: the decoder never throws and terminates', () => {
  it('random bytes with random link types', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 65535 }), (lt, data, extra) => {
        const p = packet(lt, data, { origLen: data.length + (extra & 1 ? extra : 0) });
        const d = new Decoder(new Checker());
        d.decode(p);
        d.finish();
        expect(d.stats.packets).toBe(1);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid frames, decoded in sequence with one decoder', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            seed: fc.integer({ min: 0, max: seeds.length - 1 }),
            muts: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
            cut: fc.nat(),
            lt: fc.option(fc.constantFrom(...LINK_TYPES), { freq: 5 }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (frames) => {
          const sink = new Checker();
          const d = new Decoder(sink, { maxFragmentDatagrams: 4 });
          for (const f of frames) {
            const [lt0, base] = seeds[f.seed]!;
            const data = base.slice();
            for (const [pos, val] of f.muts) data[pos % data.length] = val;
            const len = f.cut % 3 === 0 ? f.cut % (data.length + 1) : data.length;
            const p = packet(f.lt ?? lt0, data.subarray(0, len), { origLen: data.length });
            d.decode(p);
          }
          d.finish();
          expect(d.stats.packets).toBe(frames.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('unmutated seeds decode to at least one segment', () => {
    for (const [lt, data] of [...seeds.slice(0, 7), ...seeds.slice(-NEW_LINK_SEEDS)]) {
      const sink = new Checker();
      new Decoder(sink).decode(packet(lt, data));
      expect(sink.n).toBeGreaterThan(0);
    }
  });

  it('every anomaly code is snake_case with a description', () => {
    for (const [k, v] of Object.entries(DECODE_ANOMALIES)) {
      expect(k).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
      expect(v.length).toBeGreaterThan(10);
    }
  });
});
