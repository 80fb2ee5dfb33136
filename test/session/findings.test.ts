import { describe, expect, it } from 'vitest';
import type { FindingJson, Session } from '../../src/core/model.js';
import type { ChainCheck } from '../../src/x509/types.js';
import { FINDING_CODES, computeFindings } from '../../src/session/findings.js';
import type { FindingsContext } from '../../src/session/findings.js';
import { alert, cert, counts, makeClientHello, makeFailedAfterClientHello, makeServerHello, makeSession, step } from './h6-factory.js';

const CAPTURE = new Date('2026-10-12T00:00:00Z');
const ctx = (over: Partial<FindingsContext> = {}): FindingsContext => ({ chain: null, now: new Date('2026-10-20T00:00:00Z'), captureTime: CAPTURE, ...over });

function chainOk(over: Partial<ChainCheck> = {}): ChainCheck {
  return {
    ordered: true,
    linkErrors: [],
    trusted: true,
    anchor: 'CN=Root',
    selfSigned: false,
    incomplete: false,
    missingIssuer: null,
    validity: ['valid'],
    leafValidityOffsetSec: 0,
    hostnameMatches: true,
    weak: [],
    ...over,
  };
}

function run(s: Session, c: Partial<FindingsContext> = {}): FindingJson[] {
  return computeFindings(s, ctx(c));
}
function get(fs: FindingJson[], code: string): FindingJson {
  const f = fs.find((x) => x.code === code);
  if (!f) throw new Error(`no ${code} in ${fs.map((x) => x.code).join(', ')}`);
  return f;
}
const codes = (fs: FindingJson[]) => fs.map((f) => f.code);

describe('computeFindings', () => {
  it('finds nothing on a healthy TLS 1.2 ECDHE session', () => {
    expect(run(makeSession(), { chain: chainOk() })).toEqual([]);
  });

  it('every code is in the catalogue, at most once, in catalogue order', () => {
    const s = makeFailedAfterClientHello({ alerts: [alert(70, 'protocol_version', 'server', 'client_hello')], flags: { ...makeSession().flags, reset_by: 'server' } });
    const fs = run(s);
    const cs = codes(fs);
    expect(new Set(cs).size).toBe(cs.length);
    const order = Object.keys(FINDING_CODES);
    for (const c of cs) expect(order).toContain(c);
    expect([...cs].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(cs);
  });

  it('protocol_version_mismatch + handshake_failed from alert 70 after a TLS 1.0-1.2 ClientHello', () => {
    const s = makeFailedAfterClientHello({
      client_hello: makeClientHello({ supported_versions: [0x0303, 0x0302, 0x0301] }),
      alerts: [alert(70, 'protocol_version', 'server', 'client_hello')],
    });
    const fs = run(s);
    const f = get(fs, 'protocol_version_mismatch');
    expect(f.severity).toBe('high');
    expect(f.message).toContain('protocol_version (70)');
    expect(f.message).toContain('right after the ClientHello');
    expect(f.message).toContain('TLS 1.0-1.2');
    expect(f.message).toContain('require TLS 1.3');
    const h = get(fs, 'handshake_failed');
    expect(h.message).toContain('the server sent fatal alert protocol_version (70) right after the ClientHello');
    expect(h.evidence).toMatchObject({ alert_code: 70, alert_from: 'server', alert_after: 'client_hello' });
  });

  it('protocol_version_mismatch when the server picks a version the client did not offer', () => {
    const s = makeSession({ server_hello: makeServerHello({ version: 0x0301 }), version: 0x0301, client_hello: makeClientHello({ supported_versions: [0x0304, 0x0303] }) });
    const f = get(run(s), 'protocol_version_mismatch');
    expect(f.message).toContain('chose TLS 1.0');
    expect(f.message).toContain('TLS 1.2-1.3');
  });

  it('protocol_version_mismatch (inferred) for handshake_failure after an SSL 3.0 / TLS 1.0-only hello', () => {
    const s = makeFailedAfterClientHello({
      client_hello: makeClientHello({ version: 0x0301, supported_versions: [] }),
      alerts: [alert(40, 'handshake_failure', 'server', 'client_hello')],
    });
    const fs = run(s);
    const f = get(fs, 'protocol_version_mismatch');
    expect(f.inferred).toBe(true);
    expect(f.message).toContain('up to TLS 1.0');
    expect(codes(fs)).not.toContain('no_shared_cipher');
  });

  it('no_shared_cipher for handshake_failure before any ServerHello', () => {
    const s = makeFailedAfterClientHello({
      client_hello: makeClientHello({ cipher_suites: [0x0a0a, 0x0005, 0x000a], cipher_suite_names: ['GREASE', 'TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA'] }),
      alerts: [alert(40, 'handshake_failure', 'server', 'client_hello')],
    });
    const f = get(run(s), 'no_shared_cipher');
    expect(f.severity).toBe('high');
    expect(f.message).toContain('handshake_failure (40)');
    expect(f.message).toContain('2 suites');
    expect(f.message).toContain('TLS_RSA_WITH_RC4_128_SHA');
  });

  it('no_shared_cipher from insufficient_security (71)', () => {
    const s = makeFailedAfterClientHello({ alerts: [alert(71, 'insufficient_security', 'server', 'client_hello')] });
    const f = get(run(s), 'no_shared_cipher');
    expect(f.message).toContain('insufficient_security (71)');
    expect(f.inferred).toBeUndefined();
  });

  it('no_shared_group for uncommon groups only, and after a HelloRetryRequest', () => {
    const s = makeFailedAfterClientHello({
      client_hello: makeClientHello({ supported_groups: [0x6399] }),
      alerts: [alert(40, 'handshake_failure', 'server', 'client_hello')],
    });
    const f = get(run(s), 'no_shared_group');
    expect(f.message).toContain('X25519Kyber768Draft00');
    const h = makeFailedAfterClientHello({
      hello_retry_request: makeServerHello({ hello_retry_request: true, key_share_group: 24 }),
      alerts: [alert(47, 'illegal_parameter', 'server', 'client_hello')],
    });
    const fs = run(h);
    expect(get(fs, 'no_shared_group').message).toContain('secp384r1');
    expect(get(fs, 'hello_retry_request').severity).toBe('info');
  });

  it('cert_expired with date and days before the capture, from the ChainCheck', () => {
    const s = makeSession({
      established: false,
      certificates: [cert({ not_after: '2026-10-01T00:00:00Z' })],
      alerts: [alert(45, 'certificate_expired', 'client', 'server_hello_done')],
    });
    const fs = run(s, { chain: chainOk({ validity: ['expired'], leafValidityOffsetSec: 11 * 86400 }) });
    const f = get(fs, 'cert_expired');
    expect(f.severity).toBe('high');
    expect(f.message).toContain('expired on 2026-10-01, 11 days before this capture');
    expect(f.message).toContain('certificate_expired (45)');
    expect(f.evidence['days_expired']).toBe(11);
    expect(codes(fs)).not.toContain('clock_skew_suspected');
  });

  it('cert_expired from the certificate dates when there is no chain check, and from alert 45 alone', () => {
    expect(get(run(makeSession({ certificates: [cert({ not_after: '2026-09-01T00:00:00Z' })] })), 'cert_expired').message).toContain('2026-09-01');
    const s = makeSession({ established: false, certificates: [], alerts: [alert(45, 'certificate_expired', 'client', 'server_hello_done')] });
    expect(get(run(s), 'cert_expired').message).toContain('certificate_expired (45)');
  });

  it('cert_not_yet_valid and clock_skew_suspected when the margin is under two days', () => {
    const s = makeSession({ certificates: [cert({ not_before: '2026-10-12T20:00:00Z' })] });
    const fs = run(s, { chain: chainOk({ validity: ['not_yet_valid'], leafValidityOffsetSec: -72000 }) });
    expect(get(fs, 'cert_not_yet_valid').message).toContain('20 hours after this capture');
    const c = get(fs, 'clock_skew_suspected');
    expect(c.inferred).toBe(true);
    expect(c.severity).toBe('medium');
  });

  it('clock_skew_suspected for an implausible capture time', () => {
    const s = makeSession();
    const fs = run(s, { captureTime: new Date('1970-01-02T00:00:00Z') });
    expect(codes(fs)).toContain('cert_not_yet_valid');
    expect(get(fs, 'clock_skew_suspected').message).toContain('before 2000');
  });

  it('cert_hostname_mismatch names the SNI and the certificate names', () => {
    const s = makeSession({ certificates: [cert({ san: { dns: ['*.other.com', 'other.com'], ip: [], email: [], uri: [] } })] });
    const f = get(run(s, { chain: chainOk({ hostnameMatches: false }) }), 'cert_hostname_mismatch');
    expect(f.message).toContain('"api.example.com"');
    expect(f.message).toContain('*.other.com, other.com');
  });

  it('cert_self_signed, cert_chain_incomplete, cert_untrusted from the ChainCheck', () => {
    const ss = get(run(makeSession(), { chain: chainOk({ trusted: false, selfSigned: true }) }), 'cert_self_signed');
    expect(ss.severity).toBe('medium');
    const failedSs = makeSession({ established: false, alerts: [alert(48, 'unknown_ca', 'client', 'server_hello_done')] });
    expect(get(run(failedSs, { chain: chainOk({ trusted: false, selfSigned: true }) }), 'cert_self_signed').severity).toBe('high');
    const inc = get(run(makeSession(), { chain: chainOk({ trusted: false, incomplete: true, missingIssuer: 'CN=Example Intermediate' }) }), 'cert_chain_incomplete');
    expect(inc.message).toContain('"CN=Example Intermediate"');
    const un = get(run(makeSession(), { chain: chainOk({ trusted: false, linkErrors: [{ index: 0, reason: 'signature does not verify' }] }) }), 'cert_untrusted');
    expect(un.message).toContain('signature does not verify');
  });

  it('cert_untrusted from a client unknown_ca alert when the chain does not explain it', () => {
    const s = makeSession({ established: false, alerts: [alert(48, 'unknown_ca', 'client', 'server_hello_done')] });
    const fs = run(s, { chain: chainOk() });
    const f = get(fs, 'cert_untrusted');
    expect(f.message).toContain('unknown_ca (48)');
    expect(f.message).toContain('intermediate');
    expect(codes(fs)).toContain('handshake_failed');
  });

  it('client_cert_missing and client_cert_rejected', () => {
    const s = makeSession({
      established: false,
      client_certificate_requested: true,
      client_certificates: [],
      alerts: [alert(116, 'certificate_required', 'server', 'finished')],
    });
    const f = get(run(s), 'client_cert_missing');
    expect(f.message).toContain('certificate_required (116)');
    const r = makeSession({
      established: false,
      client_certificate_requested: true,
      client_certificates: [cert({ subject_cn: 'alice' })],
      alerts: [alert(48, 'unknown_ca', 'server', 'finished')],
    });
    expect(get(run(r), 'client_cert_rejected').message).toContain('"alice"');
  });

  it('alpn_mismatch from alert 120 and from a server choice the client did not offer', () => {
    const s = makeFailedAfterClientHello({ alerts: [alert(120, 'no_application_protocol', 'server', 'client_hello')] });
    expect(get(run(s), 'alpn_mismatch').message).toContain('h2, http/1.1');
    const t = makeSession({ server_hello: makeServerHello({ alpn: 'spdy/3' }) });
    expect(get(run(t), 'alpn_mismatch').message).toContain('"spdy/3"');
  });

  it('reset_during_handshake says who reset and after what', () => {
    const s = makeFailedAfterClientHello({ flags: { ...makeSession().flags, server_hello_seen: false, reset_by: 'server', closed_by: 'rst' } });
    const fs = run(s);
    const f = get(fs, 'reset_during_handshake');
    expect(f.message).toContain("The server reset the TCP connection after the client's ClientHello");
    expect(codes(fs)).not.toContain('no_server_response');
  });

  it('no_server_response when the server sent nothing', () => {
    const s = makeFailedAfterClientHello({ end_ts: makeSession().start_ts + 21, flags: { ...makeSession().flags, server_hello_seen: false, closed_by: 'fin' } });
    const f = get(run(s), 'no_server_response');
    expect(f.message).toContain('21.0 s');
    expect(f.message).toContain('port 443');
  });

  it('not_tls_response shows the escaped plaintext', () => {
    const s = makeFailedAfterClientHello({ server_plaintext: 'HTTP/1.1 400 Bad Request\r\n\x1b[31m', counts: { client: counts({ bytes: 517 }), server: counts() } });
    const fs = run(s);
    const f = get(fs, 'not_tls_response');
    expect(f.message).toContain('HTTP/1.1 400 Bad Request\\x0d\\x0a\\x1b[31m');
    expect(f.message).not.toContain('\x1b');
    expect(codes(fs)).not.toContain('no_server_response');
  });

  it('large_client_hello_dropped for a multi-segment hello met by silence', () => {
    const s = makeFailedAfterClientHello({
      client_hello_segments: 2,
      client_hello: makeClientHello({ length: 1780, key_shares: [{ group: 0x11ec, group_name: 'X25519MLKEM768', key_length: 1216 }] }),
    });
    const fs = run(s);
    const f = get(fs, 'large_client_hello_dropped');
    expect(f.inferred).toBe(true);
    expect(f.message).toContain('2 TCP segments');
    expect(f.message).toContain('X25519MLKEM768');
    expect(get(fs, 'post_quantum_key_exchange').message).toContain('offered');
  });

  it('tls13_client_rejected_cert from an inferred encrypted client alert after the server flight', () => {
    const s = makeSession({
      version: 0x0304,
      server_hello: makeServerHello({ version: 0x0303, selected_version: 0x0304, cipher_suite: 0x1301, cipher_suite_name: 'TLS_AES_128_GCM_SHA256' }),
      cipher_suite: 0x1301,
      cipher_suite_name: 'TLS_AES_128_GCM_SHA256',
      established: false,
      certificates: [],
      certificates_encrypted: true,
      steps: [step('client_hello', 'client', 0), step('server_hello', 'server', 30), step('encrypted_handshake', 'server', 30), step('encrypted_alert', 'client', 40)],
      alerts: [alert(0, 'x', 'client', 'encrypted_handshake', { level: null, level_name: null, description: null, name: null, encrypted: true, inferred: true })],
      counts: { client: counts({ records: 2 }), server: counts({ records: 4 }) },
      flags: { ...makeSession().flags, closed_by: 'fin' },
    });
    const fs = run(s);
    const f = get(fs, 'tls13_client_rejected_cert');
    expect(f.inferred).toBe(true);
    expect(f.message).toContain('rejected the server certificate');
    expect(codes(fs)).not.toContain('handshake_failed');
  });

  it('weak_protocol, weak_cipher, no_forward_secrecy on a TLS 1.0 RSA/RC4 session', () => {
    const s = makeSession({
      version: 0x0301,
      server_hello: makeServerHello({ version: 0x0301, cipher_suite: 0x0005, cipher_suite_name: 'TLS_RSA_WITH_RC4_128_SHA' }),
      client_hello: makeClientHello({ version: 0x0301, supported_versions: [] }),
      cipher_suite: 0x0005,
      cipher_suite_name: 'TLS_RSA_WITH_RC4_128_SHA',
    });
    const fs = run(s);
    expect(get(fs, 'weak_protocol')).toMatchObject({ severity: 'medium' });
    expect(get(fs, 'weak_protocol').message).toContain('TLS 1.0');
    expect(get(fs, 'weak_cipher')).toMatchObject({ severity: 'high' });
    expect(get(fs, 'weak_cipher').message).toContain('RC4');
    expect(get(fs, 'no_forward_secrecy').message).toContain('TLS_RSA_WITH_RC4_128_SHA');
    const ssl3 = makeSession({ version: 0x0300, server_hello: makeServerHello({ version: 0x0300 }), client_hello: makeClientHello({ version: 0x0300, supported_versions: [] }) });
    expect(get(run(ssl3), 'weak_protocol').severity).toBe('high');
    const des3 = makeSession({ cipher_suite_name: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA' });
    expect(get(run(des3), 'weak_cipher').severity).toBe('medium');
  });

  it('weak_signature and weak_key', () => {
    const s = makeSession({
      certificates: [
        cert({ signature_algorithm: 'sha1WithRSAEncryption', public_key: { type: 'rsa', bits: 1024 } }),
        cert({ subject_cn: 'Old CA', signature_algorithm: 'md5WithRSAEncryption', public_key: { type: 'ec', bits: 224, curve: 'secp224r1' } }),
        cert({ subject_cn: 'Root', self_signed: true, signature_algorithm: 'md5WithRSAEncryption' }),
      ],
      server_key_exchange: { dh_bits: 1024, length: 300 },
    });
    const fs = run(s);
    const sig = get(fs, 'weak_signature');
    expect(sig.severity).toBe('high');
    expect(sig.message).toContain('sha1WithRSAEncryption');
    expect(sig.message).toContain('"Old CA"');
    expect(sig.message).not.toContain('"Root"');
    const key = get(fs, 'weak_key');
    expect(key.message).toContain('1024-bit RSA');
    expect(key.message).toContain('224-bit EC key (secp224r1)');
    expect(key.message).toContain('Diffie-Hellman group is only 1024 bits');
  });

  it('cert_expiring_soon within 30 days (configurable)', () => {
    const s = makeSession({ certificates: [cert({ not_after: '2026-10-22T00:00:00Z' })] });
    const f = get(run(s), 'cert_expiring_soon');
    expect(f.severity).toBe('low');
    expect(f.message).toContain('2026-10-22, 10 days after this capture');
    expect(codes(run(s, { expiringSoonDays: 5 }))).not.toContain('cert_expiring_soon');
  });

  it('info: hello_retry_request, resumed, ech_offered, post_quantum_key_exchange negotiated', () => {
    const s = makeSession({
      hello_retry_request: makeServerHello({ hello_retry_request: true, key_share_group: 0x11ec }),
      server_hello: makeServerHello({ selected_version: 0x0304, key_share_group: 0x11ec }),
      resumed: true,
      resumption: 'psk',
      client_hello: makeClientHello({ extensions: [0, 16, 0xfe0d], ech: { type: 'outer', config_id: 7 } }),
      timing: { ...makeSession().timing, hello_retry_extra_ms: 31.5 },
    });
    const fs = run(s);
    expect(get(fs, 'hello_retry_request').message).toContain('X25519MLKEM768');
    expect(get(fs, 'hello_retry_request').message).toContain('31.5 ms');
    expect(get(fs, 'resumed').message).toContain('PSK');
    expect(get(fs, 'ech_offered').message).toContain('"api.example.com"');
    expect(get(fs, 'post_quantum_key_exchange').message).toContain('negotiated the post-quantum hybrid key exchange X25519MLKEM768');
    for (const c of ['hello_retry_request', 'resumed', 'ech_offered', 'post_quantum_key_exchange']) expect(get(fs, c).severity).toBe('info');
  });

  it('escapes hostile server names in messages', () => {
    const s = makeFailedAfterClientHello({ server_name: 'evil\u202e.com\x1b[2J' });
    const f = get(run(s), 'no_server_response');
    expect(f.message).toContain('evil\\u{202e}.com\\x1b[2J');
  });
});

/**
 * Regressions from the openssl lab (tools/openssl-lab): sessions shaped like the real
 * s_server/s_client captures that tlsscope got wrong.
 */
describe('computeFindings: openssl lab regressions', () => {
  const TLS13_SH = makeServerHello({ version: 0x0303, selected_version: 0x0304, cipher_suite: 0x1301, cipher_suite_name: 'TLS_AES_128_GCM_SHA256', key_share_group: 29 });
  const OPENSSL_12_SUITES = [0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0x00ff];

  it('no_shared_group: TLS 1.3 client with two groups and the full TLS 1.3 suite list, server refuses (s_client -groups X25519:P-256 vs s_server -groups P-384)', () => {
    const s = makeFailedAfterClientHello({
      client_hello: makeClientHello({ cipher_suites: [0x1302, 0x1303, 0x1301, 0x00ff], supported_versions: [0x0304], supported_groups: [29, 23] }),
      alerts: [alert(40, 'handshake_failure', 'server', 'client_hello')],
    });
    const fs = run(s);
    const f = get(fs, 'no_shared_group');
    expect(f.inferred).toBe(true);
    expect(f.message).toContain('x25519, secp256r1');
    expect(codes(fs)).not.toContain('no_shared_cipher');
  });

  it('no_shared_group: TLS 1.2 client with one curve and a full cipher list (s_client -groups P-256 vs an ECDHE-only server on P-384)', () => {
    const s = makeFailedAfterClientHello({
      client_hello: makeClientHello({ cipher_suites: OPENSSL_12_SUITES, supported_versions: [], supported_groups: [23] }),
      alerts: [alert(40, 'handshake_failure', 'server', 'client_hello')],
    });
    expect(codes(run(s))).toContain('no_shared_group');
  });

  it('no_shared_cipher stays when the client restricted its cipher list, not its groups', () => {
    const s = makeFailedAfterClientHello({
      client_hello: makeClientHello({ cipher_suites: [0x1303, 0x00ff], supported_versions: [0x0304], supported_groups: [29, 23, 30, 25, 24, 256, 257] }),
      alerts: [alert(40, 'handshake_failure', 'server', 'client_hello')],
    });
    const fs = run(s);
    expect(codes(fs)).toContain('no_shared_cipher');
    expect(codes(fs)).not.toContain('no_shared_group');
  });

  it('cert_untrusted, not cert_chain_incomplete, for a lone leaf issued by an unknown root (s_server -cert leaf-by-private-root)', () => {
    const s = makeSession({ established: false, alerts: [alert(48, 'unknown_ca', 'client', 'server_hello_done')] });
    const fs = run(s, { chain: chainOk({ trusted: false, incomplete: true, missingIssuer: 'CN=osl-lab Other Root CA' }) });
    const f = get(fs, 'cert_untrusted');
    expect(f.severity).toBe('high');
    expect(f.message).toContain('issued directly by "CN=osl-lab Other Root CA"');
    expect(codes(fs)).not.toContain('cert_chain_incomplete');
  });

  it('a lone leaf whose missing issuer is an intermediate: cert_chain_incomplete, plus cert_untrusted (medium, inferred) when the client says unknown_ca', () => {
    const s = makeSession({ established: false, alerts: [alert(48, 'unknown_ca', 'client', 'server_hello_done')] });
    const fs = run(s, { chain: chainOk({ trusted: false, incomplete: true, missingIssuer: 'CN=osl-lab Intermediate CA' }) });
    expect(get(fs, 'cert_chain_incomplete').severity).toBe('high');
    const u = get(fs, 'cert_untrusted');
    expect(u).toMatchObject({ severity: 'medium', inferred: true });
    // without the client's verdict the chain problem alone is reported
    const ok = run(makeSession(), { chain: chainOk({ trusted: false, incomplete: true, missingIssuer: 'CN=osl-lab Intermediate CA' }) });
    expect(codes(ok)).toContain('cert_chain_incomplete');
    expect(codes(ok)).not.toContain('cert_untrusted');
  });

  it('TLS 1.3 bad_certificate with the certificate hidden: a name mismatch is inferred, the other causes are listed', () => {
    const s = makeSession({
      version: 0x0304,
      server_hello: TLS13_SH,
      established: false,
      certificates: [],
      certificates_encrypted: true,
      alerts: [alert(42, 'bad_certificate', 'client', 'encrypted_handshake')],
      steps: [step('client_hello', 'client', 0), step('server_hello', 'server', 1), step('encrypted_handshake', 'server', 1), step('alert_bad_certificate', 'client', 2)],
    });
    const f = get(run(s), 'cert_hostname_mismatch');
    expect(f.inferred).toBe(true);
    expect(f.message).toContain('name that does not match');
    expect(f.evidence).toMatchObject({ certificate_hidden: true });
    expect(f.evidence.possible_causes).toContain('cert_hostname_mismatch');
    expect(f.evidence.possible_causes).toContain('cert_not_yet_valid');
  });

  /** s_server -Verify 1 -tls1_3, s_client without -cert: as the session builder assembles it (established, one server alert-sized record). */
  function tls13ServerRejects(clientBytes: number, over: Partial<Session> = {}): Session {
    return makeSession({
      version: 0x0304,
      server_hello: TLS13_SH,
      client_hello: makeClientHello({ length: 234 }),
      established: true,
      certificates: [],
      certificates_encrypted: true,
      history: 'CsieIFDq',
      steps: [
        step('client_hello', 'client', 0),
        step('server_hello', 'server', 1),
        step('change_cipher_spec', 'server', 1),
        step('encrypted_handshake', 'server', 1),
        step('change_cipher_spec', 'client', 3),
        step('finished', 'client', 3),
        step('established', 'client', 3),
        step('application_data', 'client', 3),
        step('encrypted_alert', 'server', 5),
      ],
      alerts: [alert(0, 'x', 'server', 'application_data', { level: null, level_name: null, description: null, name: null, encrypted: true, inferred: true })],
      counts: {
        client: counts({ records: 5, bytes: clientBytes, handshake_records: 1, application_data_records: 2, application_data_bytes: 104, change_cipher_spec: 1 }),
        server: counts({ records: 8, bytes: 2328, handshake_records: 1, change_cipher_spec: 1 }),
      },
      flags: { ...makeSession().flags, closed_by: 'fin', fin_by: 'server' },
      ...over,
    });
  }

  it('TLS 1.3 client_cert_missing: the server answers the client Finished with one encrypted alert and closes, no ticket', () => {
    const fs = run(tls13ServerRejects(393));
    const f = get(fs, 'client_cert_missing');
    expect(f.inferred).toBe(true);
    expect(f.evidence).toMatchObject({ client_encrypted_bytes: 144 });
    expect(codes(fs)).not.toContain('client_cert_rejected');
  });

  it('TLS 1.3 client_cert_rejected when the client flight was large enough to hold a certificate', () => {
    const fs = run(tls13ServerRejects(393 + 1200));
    expect(codes(fs)).toContain('client_cert_rejected');
    expect(codes(fs)).not.toContain('client_cert_missing');
  });

  it('no client certificate finding when the TLS 1.3 server sent a ticket or data before closing', () => {
    const s = tls13ServerRejects(393);
    s.counts.server.application_data_records = 2;
    s.counts.server.application_data_bytes = 500;
    expect(codes(run(s))).not.toContain('client_cert_missing');
    // the client closed first (its close_notify), the server only answered
    const c = tls13ServerRejects(393, {
      alerts: [
        alert(0, 'x', 'client', 'application_data', { level: null, level_name: null, description: null, name: null, encrypted: true, inferred: true }),
        alert(0, 'x', 'server', 'encrypted_alert', { level: null, level_name: null, description: null, name: null, encrypted: true, inferred: true }),
      ],
    });
    expect(codes(run(c))).not.toContain('client_cert_missing');
  });
});
