/** keepRaw: each session carries its handshake messages' bytes (hex view), never exported. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { rawMessages } from '../../src/core/raw.js';
import { sessionJson } from '../../src/export/json.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');

describe('keepRaw', () => {
  it('keeps every plaintext handshake message with its header, and the export is unchanged', async () => {
    const plain = await analyze(join(FIX, 'diagnose.pcapng'));
    const kept = await analyze(join(FIX, 'diagnose.pcapng'), { keepRaw: true });
    expect(kept.sessions.length).toBe(plain.sessions.length);
    let messages = 0;
    for (let i = 0; i < kept.sessions.length; i++) {
      const s = kept.sessions[i]!;
      expect(sessionJson(s)).toBe(sessionJson(plain.sessions[i]!));
      expect(rawMessages(plain.sessions[i]!)).toBeUndefined();
      const raw = rawMessages(s) ?? [];
      const ch = raw.find((m) => m.type === 1 && m.from === 'client');
      if (s.client_hello) {
        expect(ch).toBeDefined();
        // header: type 1, uint24 length = the hello's body length
        expect(ch!.bytes[0]).toBe(1);
        expect((ch!.bytes[1]! << 16) | (ch!.bytes[2]! << 8) | ch!.bytes[3]!).toBe(s.client_hello.length);
        expect(ch!.bytes.length).toBe(4 + s.client_hello.length);
        // the random field sits at offset 6 (header 4 + legacy_version 2)
        expect(Buffer.from(ch!.bytes.subarray(6, 38)).toString('hex')).toBe(s.client_hello.random);
      }
      // the last ServerHello: an earlier one may be a HelloRetryRequest
      const sh = raw.findLast((m) => m.type === 2 && m.from === 'server');
      if (s.server_hello) expect(Buffer.from(sh!.bytes.subarray(6, 38)).toString('hex')).toBe(s.server_hello.random);
      messages += raw.length;
    }
    expect(messages).toBeGreaterThan(kept.sessions.length * 2);
  });
});
