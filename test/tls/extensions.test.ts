// Extension bodies constructed with build.ts (layouts from the RFCs cited in src/tls/extensions.ts).
import { describe, expect, it } from 'vitest';
import { decodeExtension } from '../../src/tls/extensions.js';
import { alpn, ascii, cat, u16, u16s, u32, vec } from './build.js';

const ch = (type: number, data: Uint8Array) => decodeExtension(type, data, 'client_hello');

describe('extension decoders', () => {
  it('status_request (RFC 6066 8)', () => {
    expect(ch(5, Uint8Array.of(1, 0, 0, 0, 0)).value).toEqual({ status_type: 1, responder_id_list_length: 0, request_extensions_length: 0 });
    expect(decodeExtension(5, new Uint8Array(0), 'server_hello').value).toBe(true);
  });
  it('ALPS (17513, 17613), ALPN with non-UTF-8 bytes', () => {
    expect(ch(17513, alpn(['h2'])).value).toEqual(['h2']);
    expect(ch(17613, alpn(['h2', 'h3'])).value).toEqual(['h2', 'h3']);
    expect(ch(16, vec(2, cat(vec(1, Uint8Array.of(0xaa, 0xaa)), vec(1, ascii('http/1.1'))))).value).toEqual(['\xaa\xaa', 'http/1.1']);
  });
  it('padding, SCT, session ticket, EMS, ETM, PHA', () => {
    expect(ch(21, new Uint8Array(10)).value).toEqual({ length: 10, zero: true });
    expect(ch(21, Uint8Array.of(0, 1)).value).toEqual({ length: 2, zero: false });
    expect(ch(18, new Uint8Array(0)).value).toEqual({ length: 0 });
    expect(ch(35, new Uint8Array(192)).value).toEqual({ length: 192 });
    for (const t of [22, 23, 49]) expect(ch(t, new Uint8Array(0)).value).toBe(true);
  });
  it('compress_certificate, delegated_credential, record_size_limit, signature_algorithms_cert', () => {
    expect(ch(27, vec(1, u16s([2, 1]))).value).toEqual([2, 1]);
    expect(ch(34, vec(2, u16s([0x0403, 0x0804]))).value).toEqual([0x0403, 0x0804]);
    expect(ch(28, u16(16385)).value).toBe(16385);
    expect(ch(50, vec(2, u16s([0x0904]))).value).toEqual([0x0904]);
  });
  it('encrypted_client_hello inner; server side length only', () => {
    expect(ch(0xfe0d, Uint8Array.of(1)).value).toEqual({ type: 'inner' });
    expect(decodeExtension(0xfe0d, new Uint8Array(8), 'hello_retry_request').value).toEqual({ length: 8 });
  });
  it('quic_transport_parameters (RFC 9000 18: varint id, varint length)', () => {
    const data = cat([0x01, 0x02, 0x40, 0x00], [0x0f, 0x00], [0x80, 0x00, 0x47, 0x52, 0x00]);
    expect(ch(57, data).value).toEqual({ ids: [1, 15, 0x4752] });
  });
  it('early_data in NewSessionTicket form, renegotiation_info', () => {
    expect(ch(42, u32(16384)).value).toEqual({ max_early_data_size: 16384 });
    expect(ch(0xff01, Uint8Array.of(0)).value).toEqual({ length: 0 });
  });
  it('malformed bodies are flagged with hex, never thrown', () => {
    for (const t of [0, 5, 10, 11, 13, 16, 41, 43, 45, 51, 57, 0xfe0d, 17513, 28]) {
      const e = ch(t, Uint8Array.of(1, 0, 9));
      expect(e.malformed, `type ${t}`).toBe(true);
      expect(e.hex).toBe('010009');
    }
  });
});
