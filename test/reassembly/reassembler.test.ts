import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/decode/types.js';
import { REASSEMBLY_ANOMALIES } from '../../src/reassembly/anomalies.js';
import { Reassembler, SEGMENT_OVERHEAD } from '../../src/reassembly/reassembler.js';
import { CLIENT, SERVER, bytesOf, codes, harness, seg, type Harness } from './helpers.js';

const A = TCP_ACK;
const PA = TCP_PSH | TCP_ACK;

/** SYN, SYN/ACK, ACK with the given ISNs. */
function handshake(h: Harness, ci: number, si: number, t = 1000): void {
  h.r.segment(seg({ flags: TCP_SYN, seq: ci, t }));
  h.r.segment(seg({ c2s: false, flags: TCP_SYN | TCP_ACK, seq: si, ack: ci + 1, t: t + 0.01 }));
  h.r.segment(seg({ flags: A, seq: ci + 1, ack: si + 1, t: t + 0.02 }));
}

describe('Reassembler: in-order delivery', () => {
  it('delivers both directions in order, zero-copy for in-order segments', () => {
    const h = harness();
    handshake(h, 1000, 5000);
    const p1 = bytesOf('hello ');
    const s1 = seg({ flags: PA, seq: 1001, ack: 5001, payload: p1 });
    let seen: Uint8Array | undefined;
    const rec = h.rec();
    const orig = rec.data.bind(rec);
    rec.data = (dir, chunk, ts, pi, ag) => {
      seen = chunk;
      orig(dir, chunk, ts, pi, ag);
    };
    h.r.segment(s1);
    expect(seen).toBe(p1); // the very view, not a copy
    h.r.segment(seg({ flags: PA, seq: 1007, ack: 5001, data: 'world' }));
    h.r.segment(seg({ c2s: false, flags: PA, seq: 5001, ack: 1012, data: 'HI' }));
    expect(rec.text(0)).toBe('hello world');
    expect(rec.text(1)).toBe('HI');
    const f = rec.flow;
    expect(f.transport).toBe('tcp');
    expect(f.a).toEqual(CLIENT);
    expect(f.b).toEqual(SERVER);
    expect(f.clientIsA).toBe(true);
    expect(f.roleSource).toBe('syn');
    expect(f.midstream).toBe(false);
    expect(f.stats[0].packets).toBe(4);
    expect(f.stats[1].packets).toBe(2);
    expect(f.stats[0].bytes).toBe(11);
    expect(f.stats[0].reassembled).toBe(11);
    expect(f.stats[0].synSeen).toBe(true);
    expect(f.synTs).toEqual({ sec: 1000, nsec: 0 });
    expect(f.synAckTs).toEqual({ sec: 1000, nsec: 10_000_000 });
    expect(f.handshakeAckTs).toEqual({ sec: 1000, nsec: 20_000_000 });
    expect(f.anomalies).toEqual([]);
    expect(h.r.liveFlows).toBe(1);
    h.r.finish();
    expect(rec.ends()).toEqual(['eof']);
    expect(h.ended).toEqual([f]);
    expect(h.r.liveFlows).toBe(0);
  });

  it('calls control for SYN, SYN/ACK, FIN, RST', () => {
    const h = harness();
    handshake(h, 1, 2);
    h.r.segment(seg({ flags: TCP_FIN | A, seq: 2, ack: 3 }));
    h.r.segment(seg({ c2s: false, flags: TCP_RST, seq: 3 }));
    const ctl = h.rec().events.filter((e) => e.k === 'control');
    expect(ctl.map((e) => (e.k === 'control' ? [e.dir, e.flags] : []))).toEqual([
      [0, TCP_SYN],
      [1, TCP_SYN | TCP_ACK],
      [0, TCP_FIN | A],
      [1, TCP_RST],
    ]);
    const f = h.rec().flow;
    expect(f.stats[0].finSeen).toBe(true);
    expect(f.stats[1].rstSeen).toBe(true);
    h.r.finish();
    expect(h.rec().ends()).toEqual(['rst']);
  });

  it('documents every anomaly code it can emit', () => {
    for (const [k, v] of Object.entries(REASSEMBLY_ANOMALIES)) {
      expect(k).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(v.length).toBeGreaterThan(10);
    }
  });
});

describe('Reassembler: out of order, retransmissions, overlaps', () => {
  it('buffers out-of-order segments and delivers them when the hole fills', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101 + 6, data: 'world', packetIndex: 50 }));
    h.r.segment(seg({ seq: 101 + 11, data: '!', packetIndex: 51 }));
    expect(h.rec().text(0)).toBe('');
    h.r.segment(seg({ seq: 101, data: 'hello ', packetIndex: 52 }));
    expect(h.rec().text(0)).toBe('hello world!');
    const data = h.rec().events.filter((e) => e.k === 'data');
    expect(data.map((e) => (e.k === 'data' ? e.pkt : -1))).toEqual([52, 50, 51]);
    const st = h.rec().flow.stats[0];
    expect(st.outOfOrder).toBe(2);
    expect(st.gaps).toBe(0);
    expect(h.r.counters.bufferedBytes).toBe(0);
  });

  it('copies out-of-order payloads (the caller may reuse its buffer)', () => {
    const h = harness();
    handshake(h, 100, 900);
    const scratch = bytesOf('BBBB');
    h.r.segment(seg({ seq: 105, payload: scratch }));
    scratch.fill(0x58);
    h.r.segment(seg({ seq: 101, data: 'AAAA' }));
    expect(h.rec().text(0)).toBe('AAAABBBB');
  });

  it('drops exact and partial retransmissions', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'abcdef' }));
    h.r.segment(seg({ seq: 101, data: 'abcdef' })); // exact
    h.r.segment(seg({ seq: 104, data: 'defghi' })); // partial
    h.r.segment(seg({ seq: 110, data: 'jk' }));
    expect(h.rec().text(0)).toBe('abcdefghijk');
    const st = h.rec().flow.stats[0];
    expect(st.retransmissions).toBe(2);
    expect(st.bytes).toBe(20);
    expect(st.reassembled).toBe(11);
    expect(h.rec().flow.anomalies).toEqual([]);
  });

  it('partial overlaps within the buffer: first copy wins, mismatch is an anomaly', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 105, data: 'EFGH' }));
    h.r.segment(seg({ seq: 103, data: 'CDxxGHIJ' })); // overlaps EF with different bytes
    h.r.segment(seg({ seq: 101, data: 'ABCD' })); // overlaps CD (same)
    expect(h.rec().text(0)).toBe('ABCDEFGHIJ');
    expect(codes(h.rec().flow)).toEqual(['tcp_overlap_mismatch']);
  });

  it('retransmission with different bytes than already delivered: first wins + anomaly', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'GET / HTTP/1.1' }));
    h.r.segment(seg({ seq: 101, data: 'GET / HTTP/1.0' }));
    expect(h.rec().text(0)).toBe('GET / HTTP/1.1');
    expect(codes(h.rec().flow)).toEqual(['tcp_overlap_mismatch']);
    // reported once per flow
    h.r.segment(seg({ seq: 101, data: 'GET / HTTP/1.2' }));
    expect(codes(h.rec().flow)).toEqual(['tcp_overlap_mismatch']);
  });

  it('in-order segment overlapping buffered data ahead keeps the buffered copy', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 104, data: 'DEF' }));
    h.r.segment(seg({ seq: 101, data: 'ABCXEFG' }));
    expect(h.rec().text(0)).toBe('ABCDEFG');
    expect(codes(h.rec().flow)).toEqual(['tcp_overlap_mismatch']);
  });
});

describe('Reassembler: gaps', () => {
  it('peer ACK past the hole: gap with the byte count, then afterGap chunk', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'aaaa' }));
    h.r.segment(seg({ seq: 111, data: 'cccc' })); // 6 bytes missing (105..110)
    expect(h.rec().text(0)).toBe('aaaa');
    h.r.segment(seg({ c2s: false, seq: 901, ack: 115 })); // server acks everything
    expect(h.rec().gaps(0)).toEqual([6]);
    const ev = h.rec().events.filter((e) => e.k === 'data' || e.k === 'gap');
    expect(ev.map((e) => (e.k === 'data' ? `d:${e.afterGap}` : `g:${e.k === 'gap' ? e.bytes : 0}`))).toEqual([
      'd:false',
      'g:6',
      'd:true',
    ]);
    expect(h.rec().text(0)).toBe('aaaacccc');
    const st = h.rec().flow.stats[0];
    expect(st.gaps).toBe(1);
    expect(st.gapBytes).toBe(6);
    expect(codes(h.rec().flow)).toContain('tcp_missing_data');
    // the lost segment finally shows up: too late, ignored
    h.r.segment(seg({ seq: 105, data: 'bbbbbb' }));
    expect(h.rec().text(0)).toBe('aaaacccc');
  });

  it('an ACK that does not pass the hole does not flush', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'aaaa' }));
    h.r.segment(seg({ seq: 111, data: 'cccc' }));
    h.r.segment(seg({ c2s: false, seq: 901, ack: 105 }));
    expect(h.rec().gaps(0)).toEqual([]);
    h.r.segment(seg({ seq: 105, data: 'bbbbbb' }));
    expect(h.rec().text(0)).toBe('aaaabbbbbbcccc');
  });

  it('flushes holes at flow end', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'aa' }));
    h.r.segment(seg({ seq: 105, data: 'cc' }));
    h.r.segment(seg({ seq: 110, data: 'ee' }));
    h.r.finish();
    expect(h.rec().gaps(0)).toEqual([2, 3]);
    expect(h.rec().text(0)).toBe('aacc' + 'ee');
    const evs = h.rec().events.map((e) => e.k);
    expect(evs[evs.length - 1]).toBe('end');
  });

  it('RST flushes the holes of both directions', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 103, data: 'cc' }));
    h.r.segment(seg({ c2s: false, flags: TCP_RST | A, seq: 901, ack: 101 }));
    expect(h.rec().gaps(0)).toEqual([2]);
    expect(h.rec().text(0)).toBe('cc');
  });

  it('FIN with a persisting hole flushes after a few packets', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'aa' }));
    h.r.segment(seg({ flags: TCP_FIN | A, seq: 105, data: 'cc', ack: 901 }));
    expect(h.rec().gaps(0)).toEqual([]);
    for (let i = 0; i < 6; i++) h.r.segment(seg({ c2s: false, seq: 901, ack: 103 }));
    expect(h.rec().gaps(0)).toEqual([2]);
    expect(h.rec().text(0)).toBe('aacc');
  });

  it('FIN: a late segment filling the hole within the grace period is delivered', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ flags: TCP_FIN | A, seq: 103, data: 'cc', ack: 901 }));
    h.r.segment(seg({ seq: 101, data: 'aa' }));
    expect(h.rec().gaps(0)).toEqual([]);
    expect(h.rec().text(0)).toBe('aacc');
    // FIN consumed one sequence number: the ACK of the FIN is not "past a hole"
    h.r.segment(seg({ c2s: false, seq: 901, ack: 106 }));
    h.r.segment(seg({ seq: 106, ack: 902 }));
    expect(h.rec().gaps(0)).toEqual([]);
    expect(h.rec().flow.stats[0].finSeen).toBe(true);
  });

  it('data beyond the FIN is ignored with an anomaly', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ flags: TCP_FIN | A, seq: 101, data: 'ab' }));
    h.r.segment(seg({ seq: 104, data: 'zz' }));
    expect(h.rec().text(0)).toBe('ab');
    expect(codes(h.rec().flow)).toContain('tcp_data_after_fin');
  });
});

describe('Reassembler: starts, wraparound, roles', () => {
  it('mid-stream capture starts at the first seq seen; earlier bytes are ignored', () => {
    const h = harness();
    h.r.segment(seg({ c2s: false, seq: 7000, ack: 300, data: 'server-bytes' }));
    h.r.segment(seg({ seq: 300, ack: 7012, data: 'client' }));
    h.r.segment(seg({ c2s: false, seq: 6990, ack: 306, data: '0123456789server' })); // lower-seq retransmission
    const f = h.rec().flow;
    expect(f.midstream).toBe(true);
    expect(f.a).toEqual(SERVER);
    expect(f.clientIsA).toBe(undefined);
    expect(h.rec().text(0)).toBe('server-bytes');
    expect(h.rec().text(1)).toBe('client');
    expect(h.rec().gaps(0)).toEqual([]);
    h.r.finish();
    // port heuristic: 443 is the server, so B (the client) ... A is the server
    expect(f.clientIsA).toBe(false);
    expect(f.roleSource).toBe('port');
  });

  it('handles sequence wraparound (ISN near 2^32)', () => {
    const h = harness();
    const isn = 2 ** 32 - 3;
    handshake(h, isn, 2 ** 32 - 1);
    // data starts at isn+1 = 2^32-2, crosses zero
    h.r.segment(seg({ seq: (isn + 1 + 4) >>> 0, data: 'EFGH' })); // out of order, after wrap
    h.r.segment(seg({ seq: isn + 1, data: 'ABCD' }));
    h.r.segment(seg({ seq: (isn + 1 + 8) >>> 0, data: 'IJ' }));
    h.r.segment(seg({ c2s: false, seq: 0, ack: (isn + 11) >>> 0, data: 'xy' })); // server ISN wrapped too
    expect(h.rec().text(0)).toBe('ABCDEFGHIJ');
    expect(h.rec().text(1)).toBe('xy');
    expect(h.rec().gaps(0)).toEqual([]);
    expect(h.rec().flow.anomalies).toEqual([]);
  });

  it('SYN/ACK sender is the server when the SYN was not seen', () => {
    const h = harness();
    h.r.segment(seg({ c2s: false, flags: TCP_SYN | TCP_ACK, seq: 10, ack: 21 }));
    h.r.segment(seg({ flags: A, seq: 21, ack: 11 }));
    const f = h.rec().flow;
    expect(f.a).toEqual(SERVER);
    expect(f.clientIsA).toBe(false);
    expect(f.roleSource).toBe('synack');
    expect(f.handshakeAckTs).toBeDefined();
  });

  it('setClient works at any time and sticks to the end', () => {
    const h = harness();
    h.r.segment(seg({ seq: 1, data: 'x' }));
    const f = h.rec().flow;
    expect(f.clientIsA).toBe(undefined);
    f.setClient(1);
    expect(f.clientIsA).toBe(false);
    expect(f.roleSource).toBe('consumer');
    h.r.finish();
    expect(f.clientIsA).toBe(false);
    expect(f.roleSource).toBe('consumer');
  });

  it('setClient agreeing with the SYN keeps the SYN as source; disagreeing overrides', () => {
    const h = harness();
    handshake(h, 1, 2);
    const f = h.rec().flow;
    f.setClient(0);
    expect(f.roleSource).toBe('syn');
    f.setClient(1);
    expect(f.clientIsA).toBe(false);
    expect(f.roleSource).toBe('consumer');
  });

  it('port heuristic: lower port is the server', () => {
    const h = harness();
    h.r.segment(seg({ srcPort: 8443, dstPort: 50000, seq: 1, data: 'x' }));
    h.r.finish();
    expect(h.ended[0]!.clientIsA).toBe(false);
  });

  it('TCP Fast Open: data on the SYN is delivered', () => {
    const h = harness();
    h.r.segment(seg({ flags: TCP_SYN, seq: 50, data: 'early' }));
    h.r.segment(seg({ seq: 56, data: '-late' }));
    expect(h.rec().text(0)).toBe('early-late');
  });
});

describe('Reassembler: port reuse', () => {
  it('a new SYN after FIN ends the old flow (reused) and starts a new one', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'one' }));
    h.r.segment(seg({ flags: TCP_FIN | A, seq: 104, ack: 901 }));
    h.r.segment(seg({ c2s: false, flags: TCP_FIN | A, seq: 901, ack: 105 }));
    h.r.segment(seg({ flags: A, seq: 105, ack: 902 }));
    h.r.segment(seg({ flags: TCP_SYN, seq: 100 })); // retransmitted SYN of the old connection: same ISN
    expect(h.recs.length).toBe(1);
    h.r.segment(seg({ flags: TCP_SYN, seq: 777777 }));
    expect(h.recs.length).toBe(2);
    // the consumer was ended by the FINs; the flow (onFlowEnd) ends with the reuse
    expect(h.rec(0).ends()).toEqual(['fin']);
    expect(h.ended.map((f) => f.id)).toEqual([h.rec(0).flow.id]);
    const nf = h.rec(1).flow;
    expect(nf.id).toBe(h.rec(0).flow.id + 1);
    expect(h.r.liveFlows).toBe(1);
    h.r.segment(seg({ seq: 777778, data: 'two' }));
    expect(h.rec(1).text(0)).toBe('two');
    expect(nf.stats[0].packets).toBe(2);
    expect(h.r.counters.reused).toBe(1);
  });

  it('a SYN with a different ISN ends the old flow even without FIN', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ flags: TCP_SYN, seq: 100 }));
    expect(h.recs.length).toBe(1);
    h.r.segment(seg({ flags: TCP_SYN, seq: 5_000_000 }));
    expect(h.recs.length).toBe(2);
  });

  it('a SYN on a mid-stream flow that does not precede its data ends the old flow', () => {
    const h = harness();
    h.r.segment(seg({ seq: 5000, data: 'old' }));
    h.r.segment(seg({ flags: TCP_SYN, seq: 4999 })); // late SYN of the same connection
    expect(h.recs.length).toBe(1);
    h.r.segment(seg({ flags: TCP_SYN, seq: 123 }));
    expect(h.recs.length).toBe(2);
  });
});

describe('Reassembler: keep-alives, probes, truncation', () => {
  it('keep-alives (0 or 1 byte at seq-1) are counted, not data, not anomalies', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'abc' }));
    h.r.segment(seg({ seq: 103, ack: 901 })); // 0-byte keep-alive
    h.r.segment(seg({ seq: 103, data: 'Z', ack: 901 })); // 1-byte keep-alive (garbage byte)
    h.r.segment(seg({ seq: 104, data: 'def' }));
    expect(h.rec().text(0)).toBe('abcdef');
    expect(h.r.counters.keepAlives).toBe(2);
    const st = h.rec().flow.stats[0];
    expect(st.retransmissions).toBe(0);
    expect(st.reassembled).toBe(6);
    expect(h.rec().flow.anomalies).toEqual([]);
  });

  it('zero-window probes are counted, not retransmissions, not anomalies', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'abc' }));
    h.r.segment(seg({ c2s: false, seq: 901, ack: 104, window: 0 }));
    h.r.segment(seg({ seq: 104, data: 'd' })); // probe with the next byte
    h.r.segment(seg({ c2s: false, seq: 901, ack: 104, window: 0 }));
    h.r.segment(seg({ seq: 104, data: 'd' })); // probe repeated
    h.r.segment(seg({ c2s: false, seq: 901, ack: 105, window: 1000 }));
    h.r.segment(seg({ seq: 105, data: 'ef' }));
    expect(h.rec().text(0)).toBe('abcdef');
    expect(h.r.counters.zeroWindowProbes).toBe(2);
    expect(h.rec().flow.stats[0].retransmissions).toBe(0);
    expect(h.rec().gaps(0)).toEqual([]);
    expect(h.rec().flow.anomalies).toEqual([]);
  });

  it('a truncated segment delivers what is present, then a gap of the missing bytes', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101, data: 'abcd', missing: 6 }));
    h.r.segment(seg({ seq: 111, data: 'klm' }));
    expect(h.rec().text(0)).toBe('abcdklm');
    expect(h.rec().gaps(0)).toEqual([6]);
    const f = h.rec().flow;
    expect(f.truncated).toBe(true);
    expect(codes(f)).toEqual(['tcp_truncated_segment']);
    const d = h.rec().events.filter((e) => e.k === 'data');
    expect(d.map((e) => (e.k === 'data' ? e.afterGap : null))).toEqual([false, true]);
  });

  it('a truncated out-of-order segment gaps its missing bytes once reached', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 105, data: 'ef', missing: 4 })); // 105..111 of which 107..110 lost
    h.r.segment(seg({ seq: 111, data: 'kl' }));
    h.r.segment(seg({ seq: 101, data: 'abcd' }));
    expect(h.rec().text(0)).toBe('abcdefkl');
    expect(h.rec().gaps(0)).toEqual([4]);
  });
});

describe('Reassembler: memory caps', () => {
  it('per-direction cap: gap + anomaly instead of growth', () => {
    const h = harness({ limits: { perDirectionBuffer: 1000 } });
    handshake(h, 0, 900);
    // hole at 1..10, then 15 x 100 bytes out of order (each run costs 100 + SEGMENT_OVERHEAD)
    for (let i = 0; i < 15; i++) {
      h.r.segment(seg({ seq: 11 + i * 100, data: 'x'.repeat(100) }));
      expect(h.r.counters.bufferedBytes).toBeLessThanOrEqual(1000);
    }
    expect(codes(h.rec().flow)).toContain('tcp_buffer_overflow');
    expect(h.rec().gaps(0)).toEqual([10]);
    expect(h.r.counters.peakBufferedBytes).toBeLessThanOrEqual(1000 + 100 + SEGMENT_OVERHEAD);
    expect(h.rec().flow.stats[0].reassembled).toBe(1500);
    expect(h.r.counters.bufferedBytes).toBe(0);
  });

  it('a flood of tiny out-of-order segments is charged its overhead', () => {
    const h = harness({ limits: { perDirectionBuffer: 64 * 1024 } });
    handshake(h, 0, 900);
    for (let i = 0; i < 5000; i++) {
      h.r.segment(seg({ seq: 10 + i * 2, data: 'x' }));
      expect(h.r.counters.bufferedBytes).toBeLessThanOrEqual(64 * 1024);
    }
    expect(codes(h.rec().flow)).toContain('tcp_buffer_overflow');
  });

  it('global cap across flows: the least recently seen flows are flushed first', () => {
    const h = harness({ limits: { totalBuffer: 1000 } });
    for (let f = 0; f < 5; f++) {
      h.r.segment(seg({ srcPort: 40000 + f, seq: 0, data: 'a' }));
      h.r.segment(seg({ srcPort: 40000 + f, seq: 10, data: 'b'.repeat(200) }));
      expect(h.r.counters.bufferedBytes).toBeLessThanOrEqual(1000);
    }
    const overflowed = h.recs.map((r) => codes(r.flow).includes('tcp_buffer_overflow'));
    expect(overflowed).toEqual([true, true, true, false, false]);
    for (const r of h.recs.slice(0, 3)) {
      expect(r.gaps(0)).toEqual([9]);
      expect(r.text(0)).toBe('a' + 'b'.repeat(200));
    }
    expect(h.recs[4]!.gaps(0)).toEqual([]);
  });
});

describe('Reassembler: lifetime', () => {
  it('a flow closed both ways is released at the closing packet but keeps counting trailing packets', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ flags: PA, seq: 101, ack: 901, data: 'one' }));
    h.r.segment(seg({ flags: TCP_FIN | A, seq: 104, ack: 901 }));
    expect(h.rec(0).ends()).toEqual([]); // closed one way only
    h.r.segment(seg({ c2s: false, flags: TCP_FIN | A, seq: 901, ack: 105 }));
    expect(h.rec(0).ends()).toEqual(['fin']); // at once, not when the read batch is done
    // the last ACK and a retransmitted FIN still belong to the same conversation
    h.r.segment(seg({ flags: A, seq: 105, ack: 902 }));
    h.r.segment(seg({ c2s: false, flags: TCP_FIN | A, seq: 901, ack: 105 }));
    const f = h.rec(0).flow;
    expect(f.stats[0].packets).toBe(5);
    expect(f.stats[1].packets).toBe(3);
    expect(h.r.liveFlows).toBe(1);
    expect(h.ended).toEqual([]);
    // a retransmitted SYN of the old connection is not a reuse; a new ISN is
    h.r.segment(seg({ flags: TCP_SYN, seq: 100 }));
    expect(h.recs.length).toBe(1);
    h.r.segment(seg({ flags: TCP_SYN, seq: 5555 }));
    expect(h.recs.length).toBe(2);
    expect(h.ended).toEqual([f]);
    expect(h.rec(0).ends()).toEqual(['fin']); // end was called once
    h.r.finish();
    expect(h.rec(1).ends()).toEqual(['eof']);
  });

  it('after a close by FINs, retransmissions are still counted and checked against the delivered bytes', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ flags: PA, seq: 101, ack: 901, data: 'hello' }));
    h.r.segment(seg({ flags: TCP_FIN | A, seq: 106, ack: 901 }));
    h.r.segment(seg({ c2s: false, flags: TCP_FIN | A, seq: 901, ack: 107 }));
    expect(h.rec(0).ends()).toEqual(['fin']);
    h.r.segment(seg({ flags: PA, seq: 101, ack: 902, data: 'hello' })); // same bytes again
    expect(h.rec(0).flow.stats[0].retransmissions).toBe(1);
    expect(codes(h.rec(0).flow)).not.toContain('tcp_overlap_mismatch');
    h.r.segment(seg({ flags: PA, seq: 101, ack: 902, data: 'jello' })); // different bytes at the same offsets
    expect(h.rec(0).flow.stats[0].retransmissions).toBe(2);
    expect(codes(h.rec(0).flow)).toContain('tcp_overlap_mismatch');
    h.r.segment(seg({ flags: PA, seq: 107, ack: 902, data: 'more' })); // past the FIN
    expect(codes(h.rec(0).flow)).toContain('tcp_data_after_fin');
    expect(h.rec(0).text(0)).toBe('hello'); // nothing more delivered
    expect(h.r.counters.bufferedBytes).toBe(0);
  });

  it('a reset flow is released at the reset', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ c2s: false, flags: TCP_RST | A, seq: 901, ack: 101 }));
    expect(h.rec(0).ends()).toEqual(['rst']);
    h.r.segment(seg({ flags: A, seq: 101, ack: 901, data: 'late' }));
    expect(h.rec(0).text(0)).toBe('');
    expect(h.rec(0).flow.stats[0].packets).toBe(3);
    h.r.finish();
    expect(h.rec(0).ends()).toEqual(['rst']);
    expect(h.ended.length).toBe(1);
  });

  it('idle flows expire by capture time (checked every N packets)', () => {
    const h = harness({ limits: { idleTimeoutSec: 10 } });
    h.r.segment(seg({ seq: 1, data: 'a', t: 1000 }));
    h.r.segment(seg({ srcPort: 1234, dstPort: 5678, proto: 17, data: 'u', t: 1000 }));
    // unrelated traffic keeps the clock moving
    for (let i = 0; i < 3000; i++) {
      h.r.segment(seg({ srcIp: '192.168.1.1', dstIp: '192.168.1.2', seq: i, data: 'z', t: 1000 + i * 0.001 }));
    }
    expect(h.r.liveFlows).toBe(3);
    for (let i = 0; i < 3000; i++) {
      h.r.segment(seg({ srcIp: '192.168.1.1', dstIp: '192.168.1.2', seq: 3000 + i, data: 'z', t: 1030 + i * 0.01 }));
    }
    // TCP (10 s) expired; UDP (60 s) not yet
    expect(h.rec(0).ends()).toEqual(['idle']);
    expect(h.r.liveFlows).toBe(2);
    expect(h.r.counters.expired).toBe(1);
    for (let i = 0; i < 3000; i++) {
      h.r.segment(seg({ srcIp: '192.168.1.1', dstIp: '192.168.1.2', seq: 6000 + i, data: 'z', t: 1070 + i * 0.01 }));
    }
    expect(h.rec(1).ends()).toEqual(['idle']);
  });

  it('maxFlows evicts the least recently seen flow', () => {
    const h = harness({ limits: { maxFlows: 2 } });
    h.r.segment(seg({ srcPort: 1, seq: 1, data: 'a' }));
    h.r.segment(seg({ srcPort: 2, seq: 1, data: 'a' }));
    h.r.segment(seg({ srcPort: 1, seq: 2, data: 'b' })); // flow 1 now most recent
    h.r.segment(seg({ srcPort: 3, seq: 1, data: 'a' }));
    expect(h.r.liveFlows).toBe(2);
    expect(h.ended.map((f) => f.a.port)).toEqual([2]);
    expect(codes(h.ended[0]!)).toEqual(['flow_evicted']);
    expect(h.r.counters.evicted).toBe(1);
  });

  it('onFlowEnd is called once per flow, after consumer.end', () => {
    const order: string[] = [];
    const r = new Reassembler(
      () => ({ data() {}, gap() {}, end: () => order.push('end') }),
      { onFlowEnd: () => order.push('onFlowEnd') },
    );
    r.segment(seg({ seq: 1, data: 'a' }));
    r.finish();
    r.finish();
    expect(order).toEqual(['end', 'onFlowEnd']);
  });

  it('without a consumer flows are only counted', () => {
    const h = harness({ noConsumer: true });
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 200, data: 'far ahead' }));
    h.r.segment(seg({ seq: 101, data: 'abc' }));
    expect(h.r.counters.bufferedBytes).toBe(0);
    h.r.finish();
    const f = h.ended[0]!;
    expect(f.stats[0].packets).toBe(4);
    expect(f.stats[0].bytes).toBe(12);
    expect(f.stats[0].reassembled).toBe(0);
    expect(f.clientIsA).toBe(true);
    expect(h.rec().events).toEqual([]);
  });

  it('counts pure ACKs as packets, records tunnel and first packet', () => {
    const h = harness();
    h.r.segment(seg({ seq: 1, flags: A, tunnel: 'vxlan', packetIndex: 42, t: 5 }));
    h.r.segment(seg({ seq: 1, flags: A, t: 6 }));
    const f = h.rec().flow;
    expect(f.stats[0].packets).toBe(2);
    expect(f.tunnel).toBe('vxlan');
    expect(f.firstPacket).toBe(42);
    expect(f.firstTs).toEqual({ sec: 5, nsec: 0 });
    expect(f.lastTs).toEqual({ sec: 6, nsec: 0 });
  });
});

describe('Reassembler: UDP', () => {
  it('tracks conversations, delivers datagrams, roles by port', () => {
    const h = harness();
    const u = (c2s: boolean, d: string) =>
      seg({ proto: 17, c2s, srcPort: c2s ? 5353 : 53, dstPort: c2s ? 53 : 5353, data: d, flags: 0 });
    h.r.segment(u(true, 'q1'));
    h.r.segment(u(false, 'r1'));
    h.r.segment(u(true, 'q2'));
    const f = h.rec().flow;
    expect(f.transport).toBe('udp');
    expect(f.clientIsA).toBe(true);
    expect(f.roleSource).toBe('port');
    const dg = h.rec().events.filter((e) => e.k === 'dgram');
    expect(dg.map((e) => (e.k === 'dgram' ? `${e.dir}:${new TextDecoder().decode(e.bytes)}` : ''))).toEqual([
      '0:q1',
      '1:r1',
      '0:q2',
    ]);
    expect(f.stats[0].packets).toBe(2);
    expect(f.stats[1].bytes).toBe(2);
    f.setClient(1);
    expect(f.roleSource).toBe('consumer');
    h.r.finish();
    expect(h.rec().ends()).toEqual(['eof']);
    expect(f.clientIsA).toBe(false);
  });

  it('TCP and UDP with the same ports are different flows', () => {
    const h = harness();
    h.r.segment(seg({ proto: 17, data: 'u' }));
    h.r.segment(seg({ proto: 6, seq: 1, data: 't' }));
    expect(h.r.liveFlows).toBe(2);
    expect(h.recs.map((r) => r.flow.id)).toEqual([0, 1]);
  });
});

describe('Reassembler: hostile input', () => {
  it('ignores segments absurdly far from the expected sequence number', () => {
    const h = harness();
    handshake(h, 100, 900);
    h.r.segment(seg({ seq: 101 + 2 ** 31 - 5, data: 'evil' }));
    h.r.segment(seg({ seq: 101, data: 'ok' }));
    expect(h.rec().text(0)).toBe('ok');
    expect(codes(h.rec().flow)).toContain('tcp_seq_out_of_window');
    expect(h.r.counters.bufferedBytes).toBe(0);
  });

  it('flags invalid flag combinations', () => {
    const h = harness();
    h.r.segment(seg({ flags: TCP_SYN | TCP_FIN, seq: 1 }));
    expect(codes(h.rec().flow)).toEqual(['tcp_invalid_flags']);
  });

  it('survives NaN timestamps, negative missing, garbage ports', () => {
    const h = harness();
    h.r.segment(seg({ tsSec: Number.NaN, seq: 1, data: 'a', missing: -5 }));
    h.r.segment(seg({ seq: 2, data: 'b', missing: Number.NaN }));
    expect(h.rec().text(0)).toBe('ab');
    h.r.finish();
  });
});
