/** Hand-built sessions for the terminal UI tests (no capture needed). */
import type { ClientHelloJson, FindingJson, Session } from '../../src/core/model.js';

const counts = { records: 0, bytes: 0, handshake_records: 0, application_data_records: 0, application_data_bytes: 0, alerts: 0, change_cipher_spec: 0, heartbeat: 0 };

export function clientHello(over: Partial<ClientHelloJson> = {}): ClientHelloJson {
  return {
    version: 771, version_name: 'TLS 1.2', random: '00', session_id: '', cipher_suites: [0x1301, 0x1302, 0x0a0a], cipher_suite_names: [],
    compression_methods: [0], extensions: [0, 16, 43], extension_details: [], server_name: 'example.com', alpn: ['h2', 'http/1.1'],
    supported_versions: [0x0304, 0x0303], supported_groups: [29, 23], ec_point_formats: [], signature_algorithms: [], signature_algorithms_cert: [],
    key_shares: [], psk_key_exchange_modes: [], early_data: false, session_ticket_length: null, length: 200,
    ja3: 'aaaabbbbccccdddd0000111122223333', ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1', ...over,
  };
}

let n = 0;
export function mk(over: Partial<Session> = {}): Session {
  const i = n++;
  const t = 1795168800 + i;
  const iso = new Date(t * 1000).toISOString().replace('Z', '000000Z');
  return {
    id: String(i), flow_id: i, handshake_index: 0, transport: 'tcp', protocol: 'tls',
    client: { ip: '192.0.2.10', port: 50000 + i }, server: { ip: '198.51.100.1', port: 443 },
    start_time: iso, end_time: iso, start_ts: t, end_ts: t + 0.1,
    server_name: 'example.com', version: 0x0304, version_name: 'TLS 1.3', cipher_suite: 0x1301, cipher_suite_name: 'TLS_AES_128_GCM_SHA256', alpn: 'h2',
    client_hello: clientHello(), client_hellos: 1, server_hellos: 1, resumed: false, resumption: null, established: true,
    certificates: [], certificates_encrypted: true, client_certificates: [], client_certificate_requested: false, alerts: [],
    client_hello_segments: 1, history: 'ShAD', steps: [{ step: 'client_hello', from: 'client', time: iso, t_ms: 0, frame: 1 }],
    counts: { client: counts, server: counts },
    timing: { tcp_rtt_ms: 1, client_hello_to_server_hello_ms: 2, hello_retry_extra_ms: null, handshake_ms: 30, first_application_data_ms: 40 },
    findings: [], anomalies: [],
    flags: { midstream: false, gap: false, truncated: false, client_hello_seen: true, server_hello_seen: true, closed_by: 'fin', reset_by: null, fin_by: 'client' },
    ...over,
  };
}

export function finding(code: string, severity: FindingJson['severity'], message = `${code} happened`): FindingJson {
  return { code, severity, message, evidence: {} };
}

export function failed(code: string, over: Partial<Session> = {}): Session {
  return mk({ established: false, version: null, version_name: null, cipher_suite: null, cipher_suite_name: null, alpn: null, findings: [finding(code, 'high')], ...over });
}
