import { describe, expect, it } from 'vitest';
import { ETH, RAW, bytes, concat, ethernet, extHeader, ipv4, ipv6, packet, snap, tcp, tcpOptions, udp } from './build.js';
import { run } from './collect.js';
import { TCP_ACK, TCP_SYN } from '../../src/decode/types.js';

describe('IPv4', () => {
  it('skips options', () => {
    const ip = ipv4({ proto: 17, options: bytes(0x94, 4, 0, 0, 1, 1, 1, 0), payload: udp({ payload: bytes(5, 6) }) });
    expect(run([packet(RAW, ip)]).c.segs[0]!.payload).toEqual([5, 6]);
  });

  it('rejects a total length smaller than the header, and a bad IHL', () => {
    expect(run([packet(RAW, ipv4({ proto: 6, payload: tcp(), totalLen: 10 }))]).c.codes()).toEqual(['ipv4_bad_header_length']);
    const ip = ipv4({ proto: 6, payload: tcp() });
    ip[0] = 0x43;
    expect(run([packet(RAW, ip)]).c.codes()).toEqual(['ipv4_bad_header_length']);
  });

  it('total length 0 (TSO) uses the captured length', () => {
    const { c } = run([packet(RAW, ipv4({ proto: 6, payload: tcp({ payload: bytes(1, 2) }), totalLen: 0 }))]);
    expect(c.segs[0]!.payload).toEqual([1, 2]);
    expect(c.codes()).toEqual(['ipv4_total_length_zero']);
  });

  it('snaplen truncation sets missing', () => {
    const payload = new Uint8Array(1000).fill(0xab);
    const full = packet(ETH, ethernet(0x0800, ipv4({ proto: 6, payload: tcp({ payload }) })));
    const { c } = run([snap(full, 14 + 20 + 20 + 100)]);
    expect(c.segs[0]!.payload.length).toBe(100);
    expect(c.segs[0]!.missing).toBe(900);
    expect(c.anomalies).toEqual([]);
    const u = packet(ETH, ethernet(0x0800, ipv4({ proto: 17, payload: udp({ payload }) })));
    const r = run([snap(u, 14 + 20 + 8 + 10)]).c.segs[0]!;
    expect([r.payload.length, r.missing]).toEqual([10, 990]);
  });

  it('snaplen inside the TCP options: segment reported, payload empty', () => {
    const t = tcp({ flags: TCP_SYN, options: tcpOptions({ mss: 1460, ts: [1, 2] }), payload: bytes(1, 2, 3, 4) });
    const full = packet(RAW, ipv4({ proto: 6, payload: t }));
    const { c } = run([snap(full, 20 + 24)]);
    expect(c.segs).toHaveLength(1);
    expect(c.segs[0]!.payload).toEqual([]);
    expect(c.segs[0]!.missing).toBe(4);
    expect(c.codes()).toEqual(['tcp_header_truncated']);
  });

  it('total length beyond an untruncated frame is reported and treated as missing', () => {
    const { c } = run([packet(RAW, ipv4({ proto: 17, payload: udp({ payload: bytes(1) }), totalLen: 100 }))]);
    expect(c.codes()).toContain('ip_length_exceeds_frame');
  });
});

describe('IPv6', () => {
  it('walks hop-by-hop, routing, destination options and AH', () => {
    const ext = [{ type: 0 }, { type: 43, body: new Uint8Array(14) }, { type: 60 }, { type: 51 }];
    const ip = ipv6({ nh: 6, ext, payload: tcp({ dport: 8443, payload: bytes(42) }) });
    const s = run([packet(RAW, ip)]).c.segs[0]!;
    expect(s.dstPort).toBe(8443);
    expect(s.payload).toEqual([42]);
  });

  it('atomic fragment header is skipped', () => {
    const ip = ipv6({ nh: 17, ext: [], payload: concat(bytes(17, 0, 0, 0, 0, 0, 0, 1), udp({ payload: bytes(3) })) });
    ip[6] = 44;
    expect(run([packet(RAW, ip)]).c.segs[0]!.payload).toEqual([3]);
  });

  it('No Next Header and ESP stop', () => {
    const a = run([packet(RAW, ipv6({ nh: 59, payload: new Uint8Array(0) }))]);
    expect(a.c.segs).toEqual([]);
    expect(a.d.stats.other).toBe(1);
    const b = run([packet(RAW, ipv6({ nh: 50, payload: new Uint8Array(32) }))]);
    expect(b.c.segs).toEqual([]);
    expect(b.c.anomalies).toEqual([]);
  });

  it('truncated extension header is reported', () => {
    const ip = ipv6({ nh: 6, payload: concat(extHeader(60, 6).subarray(0, 1)) });
    ip[6] = 60;
    expect(run([packet(RAW, ip)]).c.codes()).toEqual(['ipv6_ext_truncated']);
  });

  it('IPv4-mapped addresses use the dotted tail', () => {
    const s = run([packet(RAW, ipv6({ src: '::ffff:1.2.3.4', dst: '::1', nh: 17, payload: udp() }))]).c.segs[0]!;
    expect([s.srcIp, s.dstIp]).toEqual(['::ffff:1.2.3.4', '::1']);
  });

  it('snaplen truncation sets missing', () => {
    const full = packet(RAW, ipv6({ nh: 6, payload: tcp({ payload: new Uint8Array(500) }) }));
    const s = run([snap(full, 40 + 20 + 50)]).c.segs[0]!;
    expect([s.payload.length, s.missing]).toEqual([50, 450]);
  });
});

describe('TCP and UDP', () => {
  it('parses TCP fields and SYN options', () => {
    const t = tcp({ sport: 1, dport: 2, seq: 0xfffffff0, ack: 7, flags: TCP_SYN | TCP_ACK, window: 1234, options: tcpOptions({ mss: 1460, wscale: 7, sackPermitted: true, ts: [100, 200] }) });
    const s = run([packet(RAW, ipv4({ proto: 6, payload: t }))]).c.segs[0]!;
    expect(s).toMatchObject({ srcPort: 1, dstPort: 2, seq: 0xfffffff0, ack: 7, flags: TCP_SYN | TCP_ACK, window: 1234, payload: [] });
    expect(s.tcpOptions).toEqual({ mss: 1460, wscale: 7, sackPermitted: true, tsVal: 100, tsEcr: 200 });
  });

  it('options are not parsed without SYN', () => {
    const t = tcp({ flags: TCP_ACK, options: tcpOptions({ ts: [1, 2] }) });
    expect(run([packet(RAW, ipv4({ proto: 6, payload: t }))]).c.segs[0]!.tcpOptions).toBeUndefined();
  });

  it('bad option length is reported, segment kept', () => {
    const t = tcp({ flags: TCP_SYN, options: bytes(2, 4, 5, 180, 8, 40, 0, 0) });
    const { c } = run([packet(RAW, ipv4({ proto: 6, payload: t }))]);
    expect(c.segs[0]!.tcpOptions).toEqual({ mss: 1460 });
    expect(c.codes()).toEqual(['tcp_bad_option']);
  });

  it('bad data offset drops the segment', () => {
    for (const w of [2, 15]) {
      const { c } = run([packet(RAW, ipv4({ proto: 6, payload: tcp({ dataOffsetWords: w }) }))]);
      expect(c.segs).toEqual([]);
      expect(c.codes()).toEqual(['tcp_bad_data_offset']);
    }
  });

  it('UDP length checks', () => {
    expect(run([packet(RAW, ipv4({ proto: 17, payload: udp({ len: 4 }) }))]).c.codes()).toEqual(['udp_bad_length']);
    const over = run([packet(RAW, ipv4({ proto: 17, payload: udp({ payload: bytes(1, 2), len: 50 }) }))]).c;
    expect(over.codes()).toEqual(['udp_length_exceeds_ip']);
    expect(over.segs[0]!.payload).toEqual([1, 2]);
    const under = run([packet(RAW, ipv4({ proto: 17, payload: udp({ payload: bytes(1, 2, 3), len: 9 }) }))]).c;
    expect(under.segs[0]!.payload).toEqual([1]);
    expect(run([packet(RAW, ipv4({ proto: 17, payload: bytes(1, 2, 3) }))]).c.codes()).toEqual(['udp_truncated']);
  });

  it('ICMP errors quoting TCP/UDP create no segment', () => {
    const quoted = ipv4({ proto: 6, payload: tcp() }).subarray(0, 28);
    const icmp = concat(bytes(3, 3, 0, 0, 0, 0, 0, 0), quoted);
    const { c, d } = run([packet(RAW, ipv4({ proto: 1, payload: icmp }))]);
    expect(c.segs).toEqual([]);
    expect(d.stats.other).toBe(1);
    const icmp6 = concat(bytes(1, 4, 0, 0, 0, 0, 0, 0), ipv6({ nh: 17, payload: udp() }));
    expect(run([packet(RAW, ipv6({ nh: 58, payload: icmp6 }))]).c.segs).toEqual([]);
  });
});
