import { describe, expect, it } from 'vitest';
import { TlsFlowConsumer, newDetectBudget } from '../../src/session/flow.js';
import type { FlowInfo } from '../../src/reassembly/types.js';
import type { Session } from '../../src/core/model.js';
import type { Dir } from '../../src/core/types.js';
import { cat, clientHello, record, serverHello } from '../tls/build.js';
import { TCP_ACK, TCP_FIN, TCP_RST } from '../../src/decode/types.js';

function fakeFlow(): FlowInfo {
  const d = () => ({ packets: 0, bytes: 0, reassembled: 0, gaps: 0, gapBytes: 0, retransmissions: 0, outOfOrder: 0, synSeen: false, finSeen: false, rstSeen: false });
  const f: FlowInfo = {
    id: 7, transport: 'tcp', a: { ip: '10.0.0.1', port: 40000 }, b: { ip: '10.0.0.2', port: 25 },
    clientIsA: true, roleSource: 'syn', firstTs: { sec: 1, nsec: 0 }, lastTs: { sec: 1, nsec: 0 }, firstPacket: 0,
    stats: [d(), d()], midstream: false, truncated: false, tunnel: undefined, anomalies: [],
    setClient(dir: Dir) { f.clientIsA = dir === 0; },
  };
  return f;
}

const ts = { sec: 1, nsec: 0 };
const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('TlsFlowConsumer', () => {
  it('finds a ClientHello after an SMTP STARTTLS exchange and records the protocol', () => {
    // a ClientHello built with the TLS tests' byte builder (test/tls/build.ts)
    const ch = record(22, 0x0301, clientHello({ cipherSuites: [0xc02f], extensions: [] }));
    const out: Session[] = [];
    const c = new TlsFlowConsumer(fakeFlow(), (s) => out.push(s));
    c.data(1, text('220 mx.example.org ESMTP\r\n'), ts, 3, false);
    c.data(0, text('EHLO client\r\n'), ts, 4, false);
    c.data(1, text('250-mx\r\n250 STARTTLS\r\n'), ts, 5, false);
    c.data(0, text('STARTTLS\r\n'), ts, 6, false);
    c.data(1, text('220 2.0.0 Ready to start TLS\r\n'), ts, 7, false);
    c.data(0, ch, ts, 8, false);
    c.end('fin', ts);
    expect(out).toHaveLength(1);
    expect(out[0]?.starttls).toBe('smtp');
    expect(out[0]?.client_hello?.cipher_suites).toEqual([0xc02f]);
  });

  it('stops searching plaintext when the shared budget is spent, with an anomaly, instead of growing', () => {
    const budget = newDetectBudget(8192);
    const flows = [fakeFlow(), fakeFlow()];
    const cs = flows.map((f) => new TlsFlowConsumer(f, () => {}, budget));
    const junk = text('x'.repeat(6000));
    cs[0]!.data(0, junk, ts, 1, false);
    cs[1]!.data(0, junk, ts, 2, false);
    expect(budget.used).toBeLessThanOrEqual(budget.max);
    expect(flows[1]!.anomalies.map((a) => a.code)).toContain('tls_detect_budget');
    for (const c of cs) c.end('fin', ts);
    expect(budget.used).toBe(0);
  });

  it('ends only when the reassembler ends it, yet at the closing packet: data still arriving after both FINs counts', async () => {
    const ch = record(22, 0x0301, clientHello({ cipherSuites: [0xc02f], extensions: [] }));
    const sh = record(22, 0x0303, serverHello({ cipherSuite: 0xc02f }));
    const out: Session[] = [];
    const c = new TlsFlowConsumer(fakeFlow(), (s) => out.push(s));
    c.data(0, ch, { sec: 1, nsec: 0 }, 1, false);
    c.control(0, TCP_FIN | TCP_ACK, { sec: 2, nsec: 0 }, 2);
    c.control(1, TCP_FIN | TCP_ACK, { sec: 3, nsec: 0 }, 3);
    await new Promise((r) => setImmediate(r)); // nothing is deferred to the end of a read batch
    expect(out).toEqual([]);
    // the server's hello was sent before its FIN but captured after it (a hole the reassembler fills)
    c.data(1, sh, { sec: 4, nsec: 0 }, 4, false);
    c.control(1, TCP_RST, { sec: 5, nsec: 0 }, 5); // after the close: changes nothing
    c.end('fin', { sec: 6, nsec: 0 });
    expect(out).toHaveLength(1);
    expect(out[0]!.server_hello?.cipher_suite).toBe(0xc02f);
    expect(out[0]!.end_ts).toBe(4); // its last step, not the reset after the close nor when the flow was retired
    expect(out[0]!.flags.closed_by).toBe('fin');
    expect(out[0]!.flags.reset_by).toBeNull();
  });

  it('non-TLS streams give no session', () => {
    const out: Session[] = [];
    const c = new TlsFlowConsumer(fakeFlow(), (s) => out.push(s));
    c.data(0, text('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), ts, 1, false);
    c.data(1, text('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), ts, 2, false);
    c.end('fin', ts);
    expect(out).toEqual([]);
  });
});

describe('several handshakes in one stream', () => {
  it('a new plaintext ClientHello after a ServerHello starts the next session (handshake_index 1)', () => {
    const out: Session[] = [];
    const c = new TlsFlowConsumer(fakeFlow(), (s) => out.push(s));
    const ch = (suite: number) => record(22, 0x0301, clientHello({ cipherSuites: [suite], extensions: [] }));
    const sh = (suite: number) => record(22, 0x0303, serverHello({ cipherSuite: suite, extensions: [] }));
    c.data(0, ch(0xc02f), ts, 1, false);
    c.data(1, cat(sh(0xc02f), record(21, 0x0303, Uint8Array.of(2, 40))), ts, 2, false);
    c.data(0, ch(0xc030), ts, 3, false);
    c.data(1, sh(0xc030), ts, 4, false);
    c.end('fin', ts);
    expect(out.map((s) => [s.handshake_index, s.id, s.client_hello?.cipher_suites[0], s.server_hello?.cipher_suite])).toEqual([
      [0, '7', 0xc02f, 0xc02f],
      [1, '7.1', 0xc030, 0xc030],
    ]);
    expect(out[0]?.alerts[0]).toMatchObject({ from: 'server', description: 40 });
  });
});

describe('NULL bulk cipher', () => {
  it('close_notify after the handshake is read from plaintext + MAC, not reported as encrypted (tshark agrees)', () => {
    // TLS_RSA_WITH_NULL_SHA256 (0x003b): after ChangeCipherSpec each record is the plaintext and a 32-byte HMAC
    const mac = new Uint8Array(32).fill(0xab);
    const out: Session[] = [];
    const c = new TlsFlowConsumer(fakeFlow(), (s) => out.push(s));
    c.data(0, record(22, 0x0303, clientHello({ cipherSuites: [0x003b], extensions: [] })), ts, 1, false);
    c.data(1, cat(record(22, 0x0303, serverHello({ cipherSuite: 0x003b })), record(22, 0x0303, Uint8Array.of(14, 0, 0, 0))), ts, 2, false);
    c.data(0, cat(record(22, 0x0303, Uint8Array.of(16, 0, 0, 2, 0, 0)), record(20, 0x0303, Uint8Array.of(1)), record(22, 0x0303, new Uint8Array(48))), ts, 3, false);
    c.data(1, cat(record(20, 0x0303, Uint8Array.of(1)), record(22, 0x0303, new Uint8Array(48))), ts, 4, false);
    c.data(0, cat(record(23, 0x0303, new Uint8Array(64)), record(21, 0x0303, cat(Uint8Array.of(1, 0), mac))), ts, 5, false);
    c.data(1, record(21, 0x0303, cat(Uint8Array.of(1, 0), mac)), ts, 6, false);
    c.end('fin', ts);
    expect(out).toHaveLength(1);
    expect(out[0]?.established).toBe(true);
    expect(out[0]?.alerts.map((a) => [a.from, a.level, a.description, a.encrypted])).toEqual([
      ['client', 1, 0, false],
      ['server', 1, 0, false],
    ]);
  });
});
