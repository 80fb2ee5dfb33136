import { describe, expect, it } from 'vitest';
import { ETH, RAW, bytes, erspan2, erspan3, ethernet, geneve, gre, ipv4, ipv6, packet, tcp, udp, vxlan } from './build.js';
import { run } from './collect.js';

const innerIp = () => ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: 6, payload: tcp({ sport: 1234, dport: 443, payload: bytes(0x16, 3, 1) }) });
const innerEth = () => ethernet(0x0800, innerIp(), [{ id: 33 }]);
const outer = (proto: number, payload: Uint8Array) => packet(ETH, ethernet(0x0800, ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto, payload })));

function inner(c: ReturnType<typeof run>['c']) {
  return c.segs.filter((s) => s.depth > 0);
}

describe('tunnels', () => {
  it('GRE IPv4 / IPv6 with checksum, key and sequence', () => {
    for (const o of [{}, { csum: true }, { key: 5 }, { csum: true, key: 5, seq: 9 }]) {
      const { c } = run([outer(47, gre(0x0800, innerIp(), o))]);
      expect(c.segs).toHaveLength(1);
      expect(c.segs[0]).toMatchObject({ srcIp: '172.16.0.1', dstPort: 443, tunnel: 'gre', depth: 1, payload: [0x16, 3, 1] });
    }
    const v6 = ipv6({ nh: 17, payload: udp({ dport: 443 }) });
    expect(run([outer(47, gre(0x86dd, v6))]).c.segs[0]).toMatchObject({ ipVersion: 6, tunnel: 'gre' });
  });

  it('GRE transparent Ethernet bridging keeps inner VLANs', () => {
    const s = run([outer(47, gre(0x6558, innerEth()))]).c.segs[0]!;
    expect(s).toMatchObject({ tunnel: 'gre', depth: 1, vlans: [33] });
  });

  it('ERSPAN type I, II and III', () => {
    const i = run([outer(47, gre(0x88be, innerEth()))]).c;
    expect(i.segs[0]).toMatchObject({ tunnel: 'erspan', srcIp: '172.16.0.1' });
    const ii = run([outer(47, gre(0x88be, erspan2(innerEth()), { seq: 1 }))]).c;
    expect(ii.segs[0]).toMatchObject({ tunnel: 'erspan', srcIp: '172.16.0.1' });
    expect(ii.anomalies).toEqual([]);
    for (const subheader of [false, true]) {
      const iii = run([outer(47, gre(0x22eb, erspan3(innerEth(), { subheader }), { seq: 1 }))]).c;
      expect(iii.segs[0]).toMatchObject({ tunnel: 'erspan', srcIp: '172.16.0.1' });
    }
    expect(run([outer(47, gre(0x22eb, erspan3(innerIp(), { frameType: 2 }), { seq: 1 }))]).c.segs).toHaveLength(1);
    expect(run([outer(47, gre(0x88be, bytes(1, 2), { seq: 1 }))]).c.codes()).toEqual(['erspan_truncated']);
  });

  it('VXLAN: outer UDP and inner segments both emitted', () => {
    const { c } = run([outer(17, udp({ sport: 55555, dport: 4789, payload: vxlan(innerEth()) }))]);
    expect(c.segs).toHaveLength(2);
    expect(c.segs[0]).toMatchObject({ proto: 17, srcIp: '192.0.2.1', dstPort: 4789, depth: 0, tunnel: undefined });
    expect(c.segs[1]).toMatchObject({ proto: 6, srcIp: '172.16.0.1', depth: 1, tunnel: 'vxlan', vlans: [33] });
    // VXLAN port as the source port (Wireshark tries the lower port first)
    expect(inner(run([outer(17, udp({ sport: 4789, dport: 4790, payload: vxlan(innerEth()) }))]).c)).toHaveLength(1);
  });

  it('Geneve with options, Ethernet or IP inside', () => {
    const { c } = run([outer(17, udp({ sport: 1000, dport: 6081, payload: geneve(0x6558, innerEth(), 3) }))]);
    expect(c.segs.map((s) => s.tunnel)).toEqual([undefined, 'geneve']);
    expect(inner(run([outer(17, udp({ dport: 6081, payload: geneve(0x0800, innerIp()) }))]).c)).toHaveLength(1);
    expect(run([outer(17, udp({ dport: 6081, payload: geneve(0x0800, innerIp(), 63).subarray(0, 20) }))]).c.codes()).toEqual(['geneve_truncated']);
  });

  it('IP-in-IP and IPv6-in-IPv4', () => {
    expect(run([outer(4, innerIp())]).c.segs[0]).toMatchObject({ tunnel: 'ipip', depth: 1 });
    expect(run([outer(41, ipv6({ nh: 6, payload: tcp() }))]).c.segs[0]).toMatchObject({ tunnel: 'ipip', ipVersion: 6 });
  });

  it('nested tunnels: outermost name, depth counts levels', () => {
    const l2 = gre(0x0800, ipv4({ proto: 17, payload: udp({ dport: 4789, payload: vxlan(innerEth()) }) }));
    const { c } = run([outer(47, l2)]);
    expect(c.segs.map((s) => [s.proto, s.tunnel, s.depth])).toEqual([
      [17, 'gre', 1],
      [6, 'gre', 2],
    ]);
  });

  it('nesting depth is limited', () => {
    let p = innerIp();
    for (let i = 0; i < 20; i++) p = ipv4({ proto: 4, payload: p });
    const { c } = run([packet(RAW, p)]);
    expect(c.segs).toEqual([]);
    expect(c.codes()).toEqual(['tunnel_too_deep']);
    const { c: c2 } = run([packet(RAW, p)], { maxDepth: 32 });
    expect(c2.segs).toHaveLength(1);
  });

  it('truncated GRE is reported', () => {
    expect(run([outer(47, bytes(0x30, 0, 8, 0, 1))]).c.codes()).toEqual(['gre_truncated']);
    expect(run([outer(47, bytes(0, 3, 8, 0))]).c.codes()).toEqual(['gre_unsupported_version']);
  });
});
