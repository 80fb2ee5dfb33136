/**
 * Link types beyond Ethernet/SLL/raw IP/loopback: PPP and Cisco HDLC, PPPoE
 * without Ethernet, Linux NFLOG, BSD pflog and enc, Solaris ipnet, IEEE 802.11
 * (bare, radiotap, Prism, AVS, PPI).
 */
import { describe, expect, it } from 'vitest';
import {
  AVS,
  C_HDLC,
  C_HDLC_WITH_DIR,
  ENC,
  IPNET,
  NFLOG,
  PFLOG,
  PPI,
  PPP,
  PPP_ETHER,
  PPP_HDLC,
  PPP_PPPD,
  PPP_WITH_DIR,
  PRISM,
  RADIOTAP,
  WLAN,
  amsdu,
  avs,
  bytes,
  chdlc,
  concat,
  enc,
  ethernet,
  ipnet,
  ipv4,
  ipv6,
  nflog,
  packet,
  pflog,
  ppi,
  ppp,
  pppoe,
  prism,
  radiotap,
  snap,
  snapLlc,
  tcp,
  udp,
  wlan,
} from './build.js';
import { run } from './collect.js';
import { SUPPORTED_LINK_TYPES } from '../../src/decode/decoder.js';

const v4tcp = () => ipv4({ src: '192.168.1.10', dst: '10.1.2.3', proto: 6, payload: tcp({ sport: 51000, dport: 443, payload: bytes(1, 2, 3) }) });
const v6tcp = () => ipv6({ src: '2001:db8::10', dst: '2001:db8::443', nh: 6, payload: tcp({ sport: 51001, dport: 8443, payload: bytes(4, 5) }) });
const V4 = { proto: 6, ipVersion: 4, srcIp: '192.168.1.10', dstIp: '10.1.2.3', srcPort: 51000, dstPort: 443, payload: [1, 2, 3], missing: 0, tunnel: undefined, depth: 0 };
const V6 = { proto: 6, ipVersion: 6, srcIp: '2001:db8::10', dstIp: '2001:db8::443', srcPort: 51001, dstPort: 8443, payload: [4, 5], missing: 0 };

/** Decodes one frame and expects exactly one clean TCP segment matching `want`. */
function one(lt: number, data: Uint8Array, want: object = V4): void {
  const { c, d } = run([packet(lt, data)]);
  expect(c.anomalies).toEqual([]);
  expect(c.segs).toHaveLength(1);
  expect(c.segs[0]).toMatchObject(want);
  expect(d.stats).toMatchObject({ packets: 1, decoded: 1, other: 0, unsupportedLink: 0 });
}

/** Decodes one frame and expects no segment, `codes` as the anomalies and the frame counted as other. */
function none(lt: number, data: Uint8Array, codes: string[] = []): void {
  const { c, d } = run([packet(lt, data)]);
  expect(c.segs).toEqual([]);
  expect(c.codes()).toEqual(codes);
  expect(d.stats).toMatchObject({ packets: 1, decoded: 0, other: 1, unsupportedLink: 0 });
}

describe('a TCP segment reaches the sink through every new link type', () => {
  const cases: Array<[string, number, () => Uint8Array, object]> = [
    ['PPP (9), HDLC-like framing', PPP, () => ppp(0x21, v4tcp()), V4],
    ['PPP (9), bare protocol field', PPP, () => ppp(0x21, v4tcp(), { hdlc: false }), V4],
    ['PPP (9), compressed protocol, IPv6', PPP, () => ppp(0x57, v6tcp(), { compress: true }), V6],
    ['PPP_HDLC (50), PPP', PPP_HDLC, () => ppp(0x21, v4tcp()), V4],
    ['PPP_HDLC (50), Cisco HDLC', PPP_HDLC, () => chdlc(0x86dd, v6tcp(), 0x8f), V6],
    ['PPP_ETHER (51)', PPP_ETHER, () => pppoe(0x21, v4tcp()), V4],
    ['C_HDLC (104)', C_HDLC, () => chdlc(0x0800, v4tcp()), V4],
    ['C_HDLC (104), MPLS', C_HDLC, () => chdlc(0x8847, concat(bytes(0, 1, 1, 64), v4tcp())), V4],
    ['PPP_PPPD (166)', PPP_PPPD, () => concat(bytes(0x01), ppp(0x21, v4tcp()).subarray(1)), V4],
    ['PPP_WITH_DIR (204)', PPP_WITH_DIR, () => concat(bytes(0x00), ppp(0x57, v6tcp())), V6],
    ['C_HDLC_WITH_DIR (205)', C_HDLC_WITH_DIR, () => concat(bytes(0x01), chdlc(0x0800, v4tcp())), V4],
    ['NFLOG (239), little-endian TLVs', NFLOG, () => nflog(2, v4tcp()), V4],
    ['NFLOG (239), big-endian TLVs, IPv6', NFLOG, () => nflog(10, v6tcp(), { le: false }), V6],
    ['PFLOG (117), NetBSD/macOS header (61)', PFLOG, () => pflog(2, v4tcp(), 61), V4],
    ['PFLOG (117), FreeBSD header (69), AF_INET6 28', PFLOG, () => pflog(28, v6tcp(), 69), V6],
    ['PFLOG (117), OpenBSD header (100), AF_INET6 24', PFLOG, () => pflog(24, v6tcp(), 100), V6],
    ['PFLOG (117), macOS AF_INET6 30', PFLOG, () => pflog(30, v6tcp(), 61), V6],
    ['ENC (109), little-endian', ENC, () => enc(2, v4tcp(), true), V4],
    ['ENC (109), big-endian, IPv6', ENC, () => enc(24, v6tcp(), false), V6],
    ['IPNET (226)', IPNET, () => ipnet(2, v4tcp()), V4],
    ['IPNET (226), IPv6', IPNET, () => ipnet(26, v6tcp()), V6],
    ['802.11 (105), QoS data', WLAN, () => wlan(snapLlc(0x0800, v4tcp())), V4],
    ['802.11 (105), plain data', WLAN, () => wlan(snapLlc(0x86dd, v6tcp()), { subtype: 0 }), V6],
    ['802.11 (105), 4 addresses', WLAN, () => wlan(snapLlc(0x0800, v4tcp()), { toDs: true, fromDs: true }), V4],
    ['802.11 (105), QoS + HT Control', WLAN, () => wlan(snapLlc(0x0800, v4tcp()), { order: true, fromDs: true }), V4],
    ['802.11 (105), 4 addresses, QoS + HT Control', WLAN, () => wlan(snapLlc(0x0800, v4tcp()), { order: true, toDs: true, fromDs: true }), V4],
    ['802.11 (105), non-QoS Order bit has no HT Control', WLAN, () => wlan(snapLlc(0x0800, v4tcp()), { subtype: 0, order: true }), V4],
    ['802.11 (105), 802.1Q inside SNAP', WLAN, () => wlan(snapLlc(0x8100, concat(bytes(0, 7, 8, 0), v4tcp()))), { ...V4, vlans: [7] }],
    ['radiotap (127)', RADIOTAP, () => radiotap(wlan(snapLlc(0x0800, v4tcp()))), V4],
    ['radiotap (127), TSFT + extended bitmap', RADIOTAP, () => radiotap(wlan(snapLlc(0x0800, v4tcp())), { tsft: true, ext: true }), V4],
    ['radiotap (127), DATAPAD', RADIOTAP, () => radiotap(wlan(snapLlc(0x0800, v4tcp()), { dataPad: true }), { flags: 0x20, tsft: true }), V4],
    ['radiotap (127), DATAPAD after TSFT aligned past an extended bitmap', RADIOTAP, () => radiotap(wlan(snapLlc(0x0800, v4tcp()), { dataPad: true }), { flags: 0x20, tsft: true, ext: true }), V4],
    ['radiotap (127), FCS', RADIOTAP, () => radiotap(concat(wlan(snapLlc(0x0800, v4tcp())), bytes(1, 2, 3, 4)), { flags: 0x10 }), V4],
    ['Prism (119)', PRISM, () => prism(wlan(snapLlc(0x0800, v4tcp()))), V4],
    ['Prism (119) holding an AVS header', PRISM, () => avs(wlan(snapLlc(0x0800, v4tcp()))), V4],
    ['AVS (163)', AVS, () => avs(wlan(snapLlc(0x86dd, v6tcp()))), V6],
    ['PPI (192) over 802.11', PPI, () => ppi(105, wlan(snapLlc(0x0800, v4tcp())), 20), V4],
    ['PPI (192) over Ethernet', PPI, () => ppi(1, ethernet(0x0800, v4tcp())), V4],
  ];
  for (const [name, lt, build, want] of cases) {
    it(name, () => {
      expect(SUPPORTED_LINK_TYPES).toContain(lt);
      one(lt, build(), want);
    });
  }
});

describe('truncated and malformed link headers: an anomaly, no segment, no throw', () => {
  const cuts: Array<[string, number, Uint8Array, number[], string]> = [
    ['PPP', PPP, ppp(0x21, v4tcp()), [0, 2], 'link_truncated'],
    ['PPP_HDLC', PPP_HDLC, ppp(0x21, v4tcp()), [0, 2], 'link_truncated'],
    ['PPP_HDLC Cisco', PPP_HDLC, chdlc(0x0800, v4tcp()), [1, 3], 'link_truncated'],
    ['PPP_ETHER', PPP_ETHER, pppoe(0x21, v4tcp()), [0, 5, 6], 'pppoe_truncated'],
    ['C_HDLC', C_HDLC, chdlc(0x0800, v4tcp()), [0, 1, 3], 'link_truncated'],
    ['PPP_PPPD', PPP_PPPD, concat(bytes(0x01, 0x03, 0, 0x21), v4tcp()), [0, 1, 2], 'link_truncated'],
    ['PPP_WITH_DIR', PPP_WITH_DIR, concat(bytes(0), ppp(0x21, v4tcp())), [0, 1, 3], 'link_truncated'],
    ['C_HDLC_WITH_DIR', C_HDLC_WITH_DIR, concat(bytes(0), chdlc(0x0800, v4tcp())), [0, 2, 4], 'link_truncated'],
    ['NFLOG header', NFLOG, nflog(2, v4tcp()), [0, 3], 'link_truncated'],
    ['NFLOG TLV', NFLOG, nflog(2, v4tcp()), [6, 10, 14, 17], 'link_truncated'],
    ['PFLOG', PFLOG, pflog(2, v4tcp(), 69), [0, 1, 40, 71], 'link_truncated'],
    ['ENC', ENC, enc(2, v4tcp()), [0, 4, 11], 'link_truncated'],
    ['IPNET', IPNET, ipnet(2, v4tcp()), [0, 23], 'link_truncated'],
    ['802.11', WLAN, wlan(snapLlc(0x0800, v4tcp())), [1, 2, 23, 25], 'link_truncated'],
    ['802.11 4 addresses + HTC', WLAN, wlan(snapLlc(0x0800, v4tcp()), { toDs: true, fromDs: true, order: true }), [29, 31, 35], 'link_truncated'],
    ['radiotap', RADIOTAP, radiotap(wlan(snapLlc(0x0800, v4tcp())), { tsft: true }), [0, 3, 4, 20], 'link_truncated'],
    ['radiotap, 802.11 cut', RADIOTAP, radiotap(wlan(snapLlc(0x0800, v4tcp()))), [12, 20], 'link_truncated'],
    ['Prism', PRISM, prism(wlan(snapLlc(0x0800, v4tcp()))), [0, 143], 'link_truncated'],
    ['AVS', AVS, avs(wlan(snapLlc(0x0800, v4tcp()))), [0, 7, 63], 'link_truncated'],
    ['PPI', PPI, ppi(105, wlan(snapLlc(0x0800, v4tcp())), 8), [0, 7, 15], 'link_truncated'],
  ];
  for (const [name, lt, frame, lens, code] of cuts) {
    it(`${name} cut to ${lens.join(', ')} bytes`, () => {
      for (const n of lens) {
        const { c, d } = run([packet(lt, frame.slice(0, n))]);
        expect(c.segs, `${name} ${n}`).toEqual([]);
        expect(c.codes(), `${name} ${n}`).toEqual([code]);
        expect(c.anomalies[0]!.layer).toBe('link');
        expect(d.stats.other).toBe(1);
      }
    });
  }

  it('every cut of every frame decodes without throwing', () => {
    for (const [, lt, frame] of cuts) for (let n = 0; n <= frame.length; n++) run([packet(lt, frame.slice(0, n))]);
  });

  it('bad header fields: link_bad_header', () => {
    none(NFLOG, nflog(2, v4tcp(), { version: 1 }), ['link_bad_header']);
    const badTlv = nflog(2, v4tcp());
    badTlv[4] = 2; // first TLV length 2 (little-endian)
    none(NFLOG, badTlv, ['link_bad_header']);
    none(PFLOG, pflog(2, v4tcp(), 40), ['link_bad_header']);
    none(RADIOTAP, radiotap(wlan(snapLlc(0x0800, v4tcp())), { version: 1 }), ['link_bad_header']);
    const shortRt = radiotap(wlan(snapLlc(0x0800, v4tcp())));
    shortRt[2] = 6;
    none(RADIOTAP, shortRt, ['link_bad_header']);
    const badAvs = avs(wlan(snapLlc(0x0800, v4tcp())));
    badAvs[7] = 4; // length 4
    none(AVS, badAvs, ['link_bad_header']);
    none(AVS, prism(wlan(snapLlc(0x0800, v4tcp()))), ['link_bad_header']); // no AVS magic
    const badPpi = ppi(105, wlan(snapLlc(0x0800, v4tcp())));
    badPpi[0] = 2;
    none(PPI, badPpi, ['link_bad_header']);
  });

  it('unknown address families: unknown_link_family', () => {
    none(PFLOG, pflog(17, v4tcp()), ['unknown_link_family']);
    none(ENC, enc(7, v4tcp()), ['unknown_link_family']);
    none(IPNET, ipnet(10, v4tcp()), ['unknown_link_family']);
  });

  it('a snaplen cut inside the NFLOG payload still yields the segment, with missing bytes', () => {
    const f = nflog(2, ipv4({ proto: 6, payload: tcp({ payload: new Uint8Array(100).fill(7) }) }));
    const { c } = run([snap(packet(NFLOG, f), f.length - 60)]);
    expect(c.anomalies).toEqual([]);
    expect(c.segs).toHaveLength(1);
    expect(c.segs[0]!.payload).toHaveLength(40);
    expect(c.segs[0]!.missing).toBe(60);
  });
});

describe('PPP, Cisco HDLC and PPPoE details', () => {
  it('non-IP PPP, Cisco HDLC and PPPoE frames are other, without anomaly', () => {
    none(PPP, ppp(0xc021, new Uint8Array(8))); // LCP
    none(C_HDLC, chdlc(0x8035, new Uint8Array(20))); // SLARP
    none(PPP_ETHER, pppoe(0xc021, new Uint8Array(8)));
    none(PPP_ETHER, pppoe(0x0101, new Uint8Array(8), 0x09)); // PADI (discovery)
  });

  it('PPPoE length bounds the PPP frame (trailing bytes ignored)', () => {
    one(PPP_ETHER, concat(pppoe(0x21, v4tcp()), new Uint8Array(6)));
  });
});

describe('NFLOG details', () => {
  it('netlink flag bits on the payload TLV type are ignored', () => {
    one(NFLOG, nflog(2, v4tcp(), { typeFlags: 0x8000 }));
    one(NFLOG, nflog(2, v4tcp(), { typeFlags: 0x4000, le: false }));
  });

  it('no payload TLV (metadata-only logging) is other, without anomaly', () => {
    none(NFLOG, nflog(2, v4tcp(), { noPayload: true }));
  });

  it('unspecified or bridge family: IP by version nibble, else other', () => {
    one(NFLOG, nflog(0, v4tcp()));
    one(NFLOG, nflog(7, v6tcp()), V6);
    none(NFLOG, nflog(7, new Uint8Array(28).fill(0x11))); // ARP-like
  });
});

describe('802.11 details', () => {
  const body = () => snapLlc(0x0800, v4tcp());

  it('management, control and null data frames are other, without anomaly', () => {
    none(WLAN, wlan(new Uint8Array(40), { type: 0, subtype: 8 })); // beacon
    none(WLAN, bytes(0xd4, 0, 0, 0, 1, 2, 3, 4, 5, 6)); // ACK (10 bytes)
    none(WLAN, wlan(new Uint8Array(0), { subtype: 4 })); // Null
    none(WLAN, wlan(new Uint8Array(0), { subtype: 12 })); // QoS Null
    none(WLAN, wlan(new Uint8Array(0), { subtype: 12 }).subarray(0, 10)); // short QoS Null: not truncated
    none(WLAN, concat(bytes(0x09), wlan(body()).subarray(1))); // protocol version 1
    none(WLAN, wlan(concat(bytes(0x42, 0x42, 0x03), new Uint8Array(40)))); // STP LLC, no SNAP
  });

  it('protected frames: wlan_protected once per interface', () => {
    const f = wlan(new Uint8Array(60), { protected: true });
    const { c, d } = run([0, 0, 1, 0, 1].map((ifc) => packet(RADIOTAP, radiotap(f), { interfaceId: ifc })));
    expect(c.codes()).toEqual(['wlan_protected', 'wlan_protected']);
    expect(c.segs).toEqual([]);
    expect(d.stats.other).toBe(5);
  });

  it('A-MSDU: every subframe is decoded', () => {
    const a = amsdu(snapLlc(0x0800, v4tcp()), snapLlc(0x86dd, v6tcp()), snapLlc(0x0806, new Uint8Array(28)));
    const { c, d } = run([packet(WLAN, wlan(a, { amsdu: true }))]);
    expect(c.anomalies).toEqual([]);
    expect(c.segs).toHaveLength(2);
    expect(c.segs[0]).toMatchObject(V4);
    expect(c.segs[1]).toMatchObject(V6);
    expect(d.stats.decoded).toBe(1);
    // cut inside the second subframe: the first still decodes, the second is a truncated IP packet
    const f = wlan(a, { amsdu: true });
    const cut = run([packet(WLAN, f.subarray(0, f.length - 100))]);
    expect(cut.c.segs).toHaveLength(1);
  });

  it('VLAN tags of one A-MSDU subframe do not leak into the next', () => {
    const a = amsdu(snapLlc(0x8100, concat(bytes(0, 9, 8, 0), v4tcp())), snapLlc(0x0800, v4tcp()));
    const { c } = run([packet(WLAN, wlan(a, { amsdu: true }))]);
    expect(c.segs.map((s) => s.vlans)).toEqual([[9], []]);
  });

  it('tunnels of one A-MSDU subframe do not leak into the next (found by fuzzing: 12 IP-in-IP subframes gave 8 flows)', () => {
    const ipip = () => ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: 4, payload: v4tcp() });
    const subs = [];
    for (let i = 0; i < 12; i++) subs.push(snapLlc(0x0800, i % 3 === 2 ? v4tcp() : ipip()));
    const { c } = run([packet(WLAN, wlan(amsdu(...subs), { amsdu: true }))]);
    expect(c.codes()).toEqual([]);
    expect(c.segs).toHaveLength(12);
    expect(c.segs.map((s) => [s.tunnel, s.depth])).toEqual(subs.map((_, i) => (i % 3 === 2 ? [undefined, 0] : ['ipip', 1])));
  });

  it('radiotap FCS is stripped (visible with a TSO IPv4 total length of 0)', () => {
    const ip = ipv4({ proto: 6, totalLen: 0, payload: tcp({ payload: bytes(1, 2, 3) }) });
    const f = radiotap(concat(wlan(snapLlc(0x0800, ip)), bytes(0xaa, 0xbb, 0xcc, 0xdd)), { flags: 0x10, tsft: true });
    const { c } = run([packet(RADIOTAP, f)]);
    expect(c.codes()).toEqual(['ipv4_total_length_zero']);
    expect(c.segs[0]!.payload).toEqual([1, 2, 3]);
    // snaplen cut into the FCS: only the captured part of it is dropped
    const cut = run([snap(packet(RADIOTAP, f), f.length - 2)]);
    expect(cut.c.segs[0]!.payload).toEqual([1, 2, 3]);
  });

  it('radiotap bad-FCS frames are skipped silently', () => {
    none(RADIOTAP, radiotap(wlan(body()), { flags: 0x40 }));
  });

  it('PPI carrying an unsupported or nested PPI link type is reported as unsupported', () => {
    const { c, d } = run([packet(PPI, ppi(147, v4tcp())), packet(PPI, ppi(192, ppi(105, wlan(body()))), { interfaceId: 1 })]);
    expect(c.codes()).toEqual(['unsupported_link_type', 'unsupported_link_type']);
    expect(c.anomalies[0]!.detail).toBe('link type 192 carrying link type 147 on interface 0');
    expect(d.stats.unsupportedLink).toBe(2);
  });

  it('UDP over radiotap', () => {
    const u = ipv4({ proto: 17, payload: udp({ sport: 5353, dport: 53, payload: bytes(9) }) });
    const { c } = run([packet(RADIOTAP, radiotap(wlan(snapLlc(0x0800, u))))]);
    expect(c.segs[0]).toMatchObject({ proto: 17, srcPort: 5353, dstPort: 53, payload: [9] });
  });
});
