/** Minimal valid Session / ClientHello / ServerHello builders for the session-stage tests. */
import type {
  AlertJson,
  CertificateJson,
  ClientHelloJson,
  DirectionCountsJson,
  ServerHelloJson,
  Session,
  StepJson,
} from '../../src/core/model.js';

export function makeClientHello(over: Partial<ClientHelloJson> = {}): ClientHelloJson {
  return {
    version: 0x0303,
    version_name: 'TLS 1.2',
    random: '00'.repeat(32),
    session_id: '',
    cipher_suites: [0x1301, 0x1302, 0xc02b, 0xc02f],
    cipher_suite_names: [],
    compression_methods: [0],
    extensions: [0, 10, 11, 13, 16, 43, 51],
    extension_details: [],
    server_name: 'api.example.com',
    alpn: ['h2', 'http/1.1'],
    supported_versions: [0x0304, 0x0303],
    supported_groups: [29, 23, 24],
    ec_point_formats: [0],
    signature_algorithms: [0x0403, 0x0804, 0x0401],
    signature_algorithms_cert: [],
    key_shares: [{ group: 29, group_name: 'x25519', key_length: 32 }],
    psk_key_exchange_modes: [1],
    early_data: false,
    session_ticket_length: null,
    length: 512,
    ...over,
  };
}

export function makeServerHello(over: Partial<ServerHelloJson> = {}): ServerHelloJson {
  return {
    version: 0x0303,
    version_name: 'TLS 1.2',
    random: '11'.repeat(32),
    session_id: '',
    cipher_suite: 0xc02f,
    cipher_suite_name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    compression_method: 0,
    extensions: [65281, 11, 16],
    extension_details: [],
    hello_retry_request: false,
    length: 80,
    ...over,
  };
}

export function counts(over: Partial<DirectionCountsJson> = {}): DirectionCountsJson {
  return {
    records: 0,
    bytes: 0,
    handshake_records: 0,
    application_data_records: 0,
    application_data_bytes: 0,
    alerts: 0,
    change_cipher_spec: 0,
    heartbeat: 0,
    ...over,
  };
}

export function step(name: string, from: 'client' | 'server', t_ms: number, frame = 1): StepJson {
  return { step: name, from, t_ms, frame, time: new Date(Date.UTC(2026, 9, 12) + t_ms).toISOString() };
}

export function alert(
  description: number,
  name: string,
  from: 'client' | 'server',
  after: string | null,
  over: Partial<AlertJson> = {},
): AlertJson {
  return {
    from,
    level: 2,
    level_name: 'fatal',
    description,
    name,
    encrypted: false,
    time: '2026-10-12T00:00:00.100Z',
    after,
    ...over,
  };
}

export function cert(over: Partial<CertificateJson> = {}): CertificateJson {
  return {
    sha256: 'ab'.repeat(32),
    der: '',
    length: 1000,
    subject: 'CN=api.example.com',
    issuer: 'CN=Example CA',
    subject_cn: 'api.example.com',
    issuer_cn: 'Example CA',
    not_before: '2026-01-01T00:00:00Z',
    not_after: '2027-01-01T00:00:00Z',
    san: { dns: ['api.example.com'], ip: [], email: [], uri: [] },
    public_key: { type: 'rsa', bits: 2048 },
    signature_algorithm: 'sha256WithRSAEncryption',
    self_signed: false,
    ...over,
  };
}

/** An established TLS 1.2 session to api.example.com (10.0.0.2:443), started 2026-10-12T00:00:00Z. */
export function makeSession(over: Partial<Session> = {}): Session {
  const start = Date.UTC(2026, 9, 12) / 1000;
  const ch = makeClientHello();
  const sh = makeServerHello();
  return {
    id: '1',
    flow_id: 1,
    handshake_index: 0,
    transport: 'tcp',
    protocol: 'tls',
    client: { ip: '10.0.0.1', port: 50000 },
    server: { ip: '10.0.0.2', port: 443 },
    start_time: new Date(start * 1000).toISOString(),
    end_time: new Date(start * 1000 + 500).toISOString(),
    start_ts: start,
    end_ts: start + 0.5,
    server_name: 'api.example.com',
    version: 0x0303,
    version_name: 'TLS 1.2',
    cipher_suite: sh.cipher_suite,
    cipher_suite_name: sh.cipher_suite_name,
    alpn: 'h2',
    client_hello: ch,
    server_hello: sh,
    client_hellos: 1,
    server_hellos: 1,
    resumed: false,
    resumption: null,
    established: true,
    certificates: [cert()],
    certificates_encrypted: false,
    client_certificates: [],
    client_certificate_requested: false,
    alerts: [],
    client_hello_segments: 1,
    history: 'ChSCKDcf',
    steps: [
      step('client_hello', 'client', 0, 4),
      step('server_hello', 'server', 30, 6),
      step('certificate', 'server', 30, 6),
      step('server_hello_done', 'server', 30, 6),
      step('client_key_exchange', 'client', 60, 8),
      step('finished', 'client', 60, 8),
      step('finished', 'server', 90, 9),
      step('application_data', 'client', 95, 10),
    ],
    counts: {
      client: counts({ records: 5, bytes: 900, handshake_records: 3, application_data_records: 2, application_data_bytes: 300, change_cipher_spec: 1 }),
      server: counts({ records: 6, bytes: 4000, handshake_records: 4, application_data_records: 2, application_data_bytes: 800, change_cipher_spec: 1 }),
    },
    timing: {
      tcp_rtt_ms: 20,
      client_hello_to_server_hello_ms: 30,
      hello_retry_extra_ms: null,
      handshake_ms: 90,
      first_application_data_ms: 95,
    },
    findings: [],
    anomalies: [],
    flags: {
      midstream: false,
      gap: false,
      truncated: false,
      client_hello_seen: true,
      server_hello_seen: true,
      closed_by: 'fin',
      reset_by: null,
      fin_by: null,
    },
    ...over,
  };
}

/** A session that stopped after the ClientHello (server answered with nothing but what `over` adds). */
export function makeFailedAfterClientHello(over: Partial<Session> = {}): Session {
  const base = makeSession();
  return makeSession({
    server_hello: undefined,
    server_hellos: 0,
    version: null,
    version_name: null,
    cipher_suite: null,
    cipher_suite_name: null,
    alpn: null,
    established: false,
    certificates: [],
    history: 'C',
    steps: [step('client_hello', 'client', 0, 4)],
    counts: { client: counts({ records: 1, bytes: 517, handshake_records: 1 }), server: counts() },
    timing: { ...base.timing, client_hello_to_server_hello_ms: null, handshake_ms: null, first_application_data_ms: null },
    flags: { ...base.flags, server_hello_seen: false },
    ...over,
  });
}
