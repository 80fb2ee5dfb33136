import { describe, expect, it } from 'vitest';
import { ETH, LOOP, NULL, RAW, SLL, SLL2, bytes, ethernet, ipv4, ipv6, nullLink, packet, sll, sll2, tcp, udp } from './build.js';
import { run } from './collect.js';

const v4tcp = () => ipv4({ src: '192.168.1.10', dst: '10.1.2.3', proto: 6, payload: tcp({ sport: 51000, dport: 443, payload: bytes(1, 2, 3) }) });
const v6udp = () => ipv6({ src: '2001:db8:0:0:1::1', dst: 'fe80::1', nh: 17, payload: udp({ sport: 5353, dport: 53, payload: bytes(9) }) });

describe('link layers', () => {
  it('Ethernet IPv4 TCP', () => {
    const { c, d } = run([packet(ETH, ethernet(0x0800, v4tcp()))]);
    expect(c.segs).toHaveLength(1);
    const s = c.segs[0]!;
    expect(s).toMatchObject({ proto: 6, ipVersion: 4, srcIp: '192.168.1.10', dstIp: '10.1.2.3', srcPort: 51000, dstPort: 443, payload: [1, 2, 3], missing: 0, depth: 0, tunnel: undefined, vlans: [] });
    expect(d.stats).toMatchObject({ packets: 1, decoded: 1, other: 0 });
  });

  it('Ethernet IPv6 UDP', () => {
    const { c } = run([packet(ETH, ethernet(0x86dd, v6udp()))]);
    expect(c.segs[0]).toMatchObject({ proto: 17, ipVersion: 6, srcIp: '2001:db8::1:0:0:1', dstIp: 'fe80::1', srcPort: 5353, dstPort: 53, payload: [9] });
  });

  it('Ethernet padding beyond the IP total length is ignored', () => {
    const ip = ipv4({ proto: 17, payload: udp({ payload: bytes(7) }) });
    const { c } = run([packet(ETH, ethernet(0x0800, ip, [], 60))]);
    expect(c.segs[0]!.payload).toEqual([7]);
    expect(c.anomalies).toEqual([]);
  });

  it('802.1Q, 802.1ad and QinQ stacks', () => {
    for (const tpids of [[0x8100], [0x88a8, 0x8100], [0x9100, 0x8100], [0x88a8, 0x88a8, 0x8100]]) {
      const vl = tpids.map((tpid, i) => ({ tpid, id: 100 + i }));
      const { c } = run([packet(ETH, ethernet(0x0800, v4tcp(), vl))]);
      expect(c.segs).toHaveLength(1);
      expect(c.segs[0]!.vlans).toEqual(vl.map((v) => v.id));
    }
  });

  it('truncated VLAN tag is reported', () => {
    const f = ethernet(0x8100, bytes(0, 5));
    const { c, d } = run([packet(ETH, f)]);
    expect(c.codes()).toEqual(['vlan_truncated']);
    expect(d.stats.other).toBe(1);
  });

  it('802.3 LLC/SNAP carrying IPv4', () => {
    const ip = v4tcp();
    const llc = bytes(0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00);
    const f = ethernet(8 + ip.length, new Uint8Array([...llc, ...ip]));
    expect(run([packet(ETH, f)]).c.segs).toHaveLength(1);
  });

  it('Linux SLL and SLL2', () => {
    expect(run([packet(SLL, sll(0x0800, v4tcp()))]).c.segs[0]!.srcIp).toBe('192.168.1.10');
    expect(run([packet(SLL, sll(0x86dd, v6udp()))]).c.segs[0]!.dstIp).toBe('fe80::1');
    expect(run([packet(SLL2, sll2(0x0800, v4tcp()))]).c.segs[0]!.dstPort).toBe(443);
    expect(run([packet(SLL2, sll2(0x86dd, v6udp()))]).c.segs[0]!.srcPort).toBe(5353);
    expect(run([packet(SLL, sll(0x8100, new Uint8Array([0, 7, 8, 0, ...v4tcp()])))]).c.segs[0]!.vlans).toEqual([7]);
    expect(run([packet(SLL, bytes(1, 2, 3))]).c.codes()).toEqual(['link_truncated']);
  });

  it('raw IP link types pick the version from the first nibble', () => {
    for (const lt of [RAW, 12, 14]) {
      expect(run([packet(lt, v4tcp())]).c.segs[0]!.ipVersion).toBe(4);
      expect(run([packet(lt, v6udp())]).c.segs[0]!.ipVersion).toBe(6);
    }
    expect(run([packet(228, v4tcp())]).c.segs).toHaveLength(1);
    expect(run([packet(229, v6udp())]).c.segs).toHaveLength(1);
    expect(run([packet(RAW, bytes(0x50, 1, 2))]).c.codes()).toEqual(['ip_bad_version']);
  });

  it('BSD null in either byte order, OpenBSD loop in network order', () => {
    for (const le of [true, false]) {
      expect(run([packet(NULL, nullLink(2, v4tcp(), le))]).c.segs[0]!.ipVersion).toBe(4);
      for (const fam of [24, 28, 30]) expect(run([packet(NULL, nullLink(fam, v6udp(), le))]).c.segs[0]!.ipVersion).toBe(6);
    }
    expect(run([packet(LOOP, nullLink(2, v4tcp(), false))]).c.segs).toHaveLength(1);
    expect(run([packet(LOOP, nullLink(24, v6udp(), false))]).c.segs).toHaveLength(1);
    expect(run([packet(NULL, nullLink(7, v4tcp(), true))]).c.codes()).toEqual(['unknown_loopback_family']);
  });

  it('unsupported link type: one anomaly per interface, counted per frame', () => {
    const pk = [0, 1, 0, 1, 2].map((ifc) => packet(147, v4tcp(), { interfaceId: ifc }));
    const { c, d } = run(pk);
    expect(c.codes()).toEqual(['unsupported_link_type', 'unsupported_link_type', 'unsupported_link_type']);
    expect(c.anomalies.map((a) => a.packetIndex)).toEqual([pk[0]!.index, pk[1]!.index, pk[4]!.index]);
    expect(d.stats.unsupportedLink).toBe(5);
    expect(d.stats.other).toBe(0);
  });

  it('non-IP frames count as other', () => {
    const { c, d } = run([packet(ETH, ethernet(0x0806, new Uint8Array(28)))]);
    expect(c.segs).toEqual([]);
    expect(c.anomalies).toEqual([]);
    expect(d.stats.other).toBe(1);
  });

  it('MPLS and PPPoE carrying IPv4', () => {
    const mpls = ethernet(0x8847, new Uint8Array([0, 1, 0, 64, 0, 2, 1, 64, ...v4tcp()]));
    expect(run([packet(ETH, mpls)]).c.segs).toHaveLength(1);
    const ip = v4tcp();
    const pppoe = ethernet(0x8864, new Uint8Array([0x11, 0, 0, 1, (ip.length + 2) >> 8, (ip.length + 2) & 255, 0, 0x21, ...ip]));
    expect(run([packet(ETH, pppoe)]).c.segs).toHaveLength(1);
  });
});
