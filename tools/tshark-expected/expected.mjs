#!/usr/bin/env node
// Produce "expected" records with the local tshark, in the format of
// ../shared/captures/expected/tshark/<set>/<capture>.json (see that README, "Field meanings").
//
// usage: node tools/tshark-expected/expected.mjs CAPTURE... --out DIR [--tshark PATH] [--stdout] [--keep-decrypted-alerts]
//
// One record per TCP/UDP stream that carries a TLS handshake message as tshark decodes it
// (TLS over TCP, and TLS inside QUIC CRYPTO frames; tshark 4.0 does not put DTLS handshakes
// into tls.handshake.*). Plain Node ESM, no dependencies.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

// ---- JSON parser that keeps duplicate keys (tshark -T json repeats keys) -------------
// Objects become arrays of [key, value] pairs, in document order.
class Pairs extends Array {}
function parseJsonPairs(text) {
  let i = 0;
  const n = text.length;
  const ws = () => { while (i < n) { const c = text.charCodeAt(i); if (c === 32 || c === 10 || c === 13 || c === 9) i++; else break; } };
  const str = () => {
    // text[i] === '"'
    i++;
    let out = '';
    let start = i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 34) { out += text.slice(start, i); i++; return out; }
      if (c === 92) {
        out += text.slice(start, i);
        const e = text[i + 1];
        if (e === 'u') { out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)); i += 6; }
        else { out += ({ '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' })[e]; i += 2; }
        start = i;
        continue;
      }
      if (i >= n) throw new Error('unterminated string');
      i++;
    }
  };
  const val = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const obj = new Pairs(); ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws(); const k = str(); ws();
        if (text[i] !== ':') throw new Error('expected : at ' + i);
        i++; const v = val(); obj.push([k, v]); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        throw new Error('expected , or } at ' + i);
      }
    }
    if (c === '[') {
      i++; const arr = []; ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(val()); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        throw new Error('expected , or ] at ' + i);
      }
    }
    if (c === '"') return str();
    const m = /^-?[0-9.eE+-]+|^true|^false|^null/.exec(text.slice(i, i + 40));
    if (!m) throw new Error('bad value at ' + i);
    i += m[0].length;
    return m[0] === 'true' ? true : m[0] === 'false' ? false : m[0] === 'null' ? null : Number(m[0]);
  };
  ws();
  if (i >= n) return [];
  const v = val();
  return v;
}

const isObj = (v) => v instanceof Pairs;
const first = (pairs, key) => { for (const [k, v] of pairs) if (k === key) return v; return undefined; };
const all = (pairs, key) => pairs.filter(([k]) => k === key).map(([, v]) => v);

// Leaves [key, string value, extension type] below a node, in document order; the third
// item is the type of the innermost TLS extension that holds the leaf (undefined outside one).
function leaves(node, out = [], ext = undefined) {
  if (isObj(node)) {
    const t = first(node, 'tls.handshake.extension.type');
    if (t !== undefined) ext = Number(t);
    for (const [k, v] of node) {
      if (isObj(v)) leaves(v, out, ext);
      else if (Array.isArray(v)) for (const x of v) { if (isObj(x)) leaves(x, out, ext); else out.push([k, x, ext]); }
      else out.push([k, v, ext]);
    }
  }
  return out;
}

// Objects below node for which pred(key, value) holds (not descending into matches), with
// `decrypted` = they sit inside a TLS 1.3 record that tshark decrypted (a record that carries
// tls.record.opaque_type, possible when a pcapng Decryption Secrets Block holds the keys).
function findObjects(node, pred, out = [], decrypted = false) {
  if (isObj(node)) {
    if (first(node, 'tls.record.opaque_type') !== undefined) decrypted = true;
    for (const [k, v] of node) {
      if (isObj(v) && pred(k, v)) out.push({ node: v, decrypted });
      else if (isObj(v)) findObjects(v, pred, out, decrypted);
      else if (Array.isArray(v)) for (const x of v) findObjects(x, pred, out, decrypted);
    }
  }
  return out;
}

const num = (s) => (s === undefined ? undefined : Number(s));
const hex = (s) => String(s).replace(/:/g, '').toLowerCase();

// ---- per-message extraction -------------------------------------------------------------
function handshakeInfo(hs) {
  const lv = leaves(hs);
  // ext: only values inside that extension (-1: only outside any extension)
  const get = (k, ext) => lv.filter(([kk, , e]) => kk === k && (ext === undefined || (ext === -1 ? e === undefined : e === ext))).map(([, v]) => v);
  const one = (k) => get(k)[0];
  return {
    type: num(one('tls.handshake.type')),
    version: num(get('tls.handshake.version', -1)[0]),
    random: one('tls.handshake.random'),
    ciphersuites: get('tls.handshake.ciphersuite', -1).map(Number),
    extensions: get('tls.handshake.extension.type').map(Number),
    supported_versions: get('tls.handshake.extensions.supported_version', 43).map(Number),
    alpn: get('tls.handshake.extensions_alpn_str', 16),
    groups: get('tls.handshake.extensions_supported_group', 10).map(Number),
    sigalgs: get('tls.handshake.sig_hash_alg', 13).map(Number),
    sni: get('tls.handshake.extensions_server_name', 0),
    ja3: one('tls.handshake.ja3'),
    ja3_full: one('tls.handshake.ja3_full'),
    ja3s: one('tls.handshake.ja3s'),
    certificates: get('tls.handshake.certificate', -1),
  };
}

// ---- frame addressing ---------------------------------------------------------------------
function addressing(layers) {
  let ip = null, l4 = null, transport = null;
  for (const [k, v] of layers) {
    if (!isObj(v)) continue;
    if (k === 'ip') ip = { src: first(v, 'ip.src'), dst: first(v, 'ip.dst') };
    else if (k === 'ipv6') ip = { src: first(v, 'ipv6.src'), dst: first(v, 'ipv6.dst') };
    else if (k === 'tcp') { transport = 'tcp'; l4 = { sport: num(first(v, 'tcp.srcport')), dport: num(first(v, 'tcp.dstport')), stream: num(first(v, 'tcp.stream')) }; }
    else if (k === 'udp') { transport = 'udp'; l4 = { sport: num(first(v, 'udp.srcport')), dport: num(first(v, 'udp.dstport')), stream: num(first(v, 'udp.stream')) }; }
  }
  if (!ip || !l4) return null;
  return { transport, ...l4, src: ip.src, dst: ip.dst };
}

function runTshark(tshark, file) {
  return new Promise((resolve, reject) => {
    const args = ['-r', file, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'tls.handshake or tls.alert_message', '-T', 'json'];
    const p = spawn(tshark, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = []; let err = '';
    p.stdout.on('data', (c) => chunks.push(c));
    p.stderr.on('data', (c) => { err += c; });
    p.on('error', reject);
    p.on('close', (code) => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (code !== 0 && !text.trim()) return reject(new Error(`tshark exit ${code}: ${err.trim().split('\n').pop()}`));
      resolve(text);
    });
  });
}

export async function expectedRecords(file, { tshark = 'tshark', keepDecryptedAlerts = false } = {}) {
  const text = await runTshark(tshark, file);
  const packets = parseJsonPairs(text) || [];
  const streams = new Map();
  for (const pkt of packets) {
    const layers = first(first(pkt, '_source') || new Pairs(), 'layers');
    if (!isObj(layers)) continue;
    const a = addressing(layers);
    if (!a) continue;
    const key = `${a.transport}:${a.stream}`;
    let st = streams.get(key);
    if (!st) { st = { transport: a.transport, stream: a.stream, events: [] }; streams.set(key, st); }
    // handshake messages and alerts, in document order, from every TLS tree of the frame
    const items = findObjects(layers, (k, v) => (k === 'tls.handshake' && first(v, 'tls.handshake.type') !== undefined) || k === 'tls.alert_message');
    for (const { node: it, decrypted } of items) {
      if (first(it, 'tls.handshake.type') !== undefined) st.events.push({ kind: 'hs', a, hs: handshakeInfo(it) });
      else {
        const d = first(it, 'tls.alert_message.desc');
        // plaintext alerts only: an alert tshark could read only by decrypting is left out
        if (d !== undefined && (!decrypted || keepDecryptedAlerts)) st.events.push({ kind: 'alert', a, desc: num(d) });
      }
    }
  }
  const records = [];
  for (const st of streams.values()) {
    const hss = st.events.filter((e) => e.kind === 'hs');
    const chs = hss.filter((e) => e.hs.type === 1);
    const shs = hss.filter((e) => e.hs.type === 2);
    if (!chs.length && !shs.length) continue;
    const rec = { transport: st.transport, stream: st.stream, client_hellos: chs.length, server_hellos: shs.length };
    const setEnds = (cli, srv) => { rec.client = cli; rec.server = srv; };
    for (const e of hss) {
      const h = e.hs;
      if (h.type === 1 && !rec.client_hello) {
        if (!rec.client) setEnds({ ip: e.a.src, port: e.a.sport }, { ip: e.a.dst, port: e.a.dport });
        const ch = {};
        if (h.sni.length) ch.server_name = h.sni[0];
        Object.assign(ch, {
          cipher_suites: h.ciphersuites, extensions: h.extensions, supported_versions: h.supported_versions,
          alpn: h.alpn, supported_groups: h.groups, signature_algorithms: h.sigalgs, version: h.version,
          ja3: h.ja3, ja3_full: h.ja3_full,
        });
        rec.client_hello = ch;
      } else if (h.type === 2) {
        const hrr = h.random !== undefined && hex(h.random) === HRR_RANDOM;
        if (hrr && rec.hello_retry_request) continue;
        if (!hrr && rec.server_hello) continue;
        const sh = { cipher_suite: h.ciphersuites[0], version: h.version };
        if (h.supported_versions.length) sh.selected_version = h.supported_versions[0];
        if (!hrr && h.alpn.length) sh.alpn = h.alpn[0];
        sh.extensions = h.extensions;
        sh.ja3s = h.ja3s;
        if (hrr) rec.hello_retry_request = sh; else rec.server_hello = sh;
        if (!rec.client) setEnds({ ip: e.a.dst, port: e.a.dport }, { ip: e.a.src, port: e.a.sport });
      } else if (h.type === 11 && !rec.certificates && h.certificates.length) {
        rec.certificates = h.certificates.map((c) => ({ sha256: createHash('sha256').update(Buffer.from(hex(c), 'hex')).digest('hex') }));
      }
    }
    const alerts = st.events.filter((e) => e.kind === 'alert').map((e) => ({
      from: e.a.src === rec.client.ip && e.a.sport === rec.client.port ? 'client' : 'server', description: e.desc,
    }));
    if (alerts.length) rec.alerts = alerts;
    records.push(rec);
  }
  records.sort((x, y) => (x.transport === y.transport ? x.stream - y.stream : x.transport < y.transport ? -1 : 1));
  return records;
}

// Python json.dumps(obj, indent=1) (ensure_ascii) byte for byte.
export function dumpPython(obj) {
  return JSON.stringify(obj, null, 1).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

async function main(argv) {
  const files = []; let out = null; let tshark = process.env.TSHARK || 'tshark'; let toStdout = false; let keepDecryptedAlerts = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = argv[++i];
    else if (argv[i] === '--tshark') tshark = argv[++i];
    else if (argv[i] === '--stdout') toStdout = true;
    else if (argv[i] === '--keep-decrypted-alerts') keepDecryptedAlerts = true;
    else if (argv[i] === '-h' || argv[i] === '--help') { console.log('usage: expected.mjs CAPTURE... --out DIR [--tshark PATH] [--stdout] [--keep-decrypted-alerts]'); return 0; }
    else files.push(argv[i]);
  }
  if (!files.length || (!out && !toStdout)) { console.error('usage: expected.mjs CAPTURE... --out DIR [--tshark PATH] [--stdout] [--keep-decrypted-alerts]'); return 2; }
  if (out) mkdirSync(out, { recursive: true });
  let status = 0;
  for (const f of files) {
    try {
      const recs = await expectedRecords(f, { tshark, keepDecryptedAlerts });
      const text = dumpPython(recs);
      if (toStdout) process.stdout.write(text + '\n');
      if (out) writeFileSync(join(out, basename(f) + '.json'), text);
      console.error(`${basename(f)}: ${recs.length} record(s)`);
    } catch (e) {
      console.error(`${basename(f)}: ${e.message}`); status = 1;
    }
  }
  return status;
}

const isMain = (() => { try { return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url)); } catch { return false; } })();
if (isMain) {
  main(process.argv.slice(2)).then((c) => process.exit(c));
}
