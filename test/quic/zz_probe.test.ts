import { test } from 'vitest';
import { udpSessions } from './pipeline.js';
test('probe', async () => {
  for (const f of (process.env.CAPS ?? '').split(',')) {
    const ss = await udpSessions(f);
    console.log(f, ss.length);
    for (const s of ss.slice(0, Number(process.env.N ?? 3))) console.log(JSON.stringify({ id: s.id, proto: s.protocol, c: s.client, sv: s.server, sni: s.server_name, v: s.version, cs: s.cipher_suite, est: s.established, hist: s.history, chs: s.client_hellos, shs: s.server_hellos, ja4: s.client_hello?.ja4, seg: s.client_hello_segments, counts: s.counts, an: s.anomalies, certs: s.certificates.length, alerts: s.alerts.map(a=>a.description) }));
  }
});
