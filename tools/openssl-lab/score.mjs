// Scores tlsscope against the lab's labels.
//   node tools/openssl-lab/score.mjs [LAB_DIR=/tmp/osl] [--ca FILE] [--json OUT] [--bin path/to/tlsscope.js]
// For each labelled capture it runs `bin/tlsscope.js export`, takes the first
// (or, for resumption, the last) session and checks that the expected code is
// among its findings and that `established` matches.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (n) => { const i = args.indexOf(n); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
const ca = opt('--ca');
const jsonOut = opt('--json');
const bin = opt('--bin') ?? join(here, '..', '..', 'bin', 'tlsscope.js');
const dir = args[0] ?? '/tmp/osl';
const rows = readFileSync(join(dir, 'labels.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
const results = [];
let ok = 0;
for (const [name, tls, code, est, which] of rows) {
  const cap = join(dir, `${name}.pcapng`);
  let got = { codes: ['(no capture)'], established: null, alerts: '' };
  if (existsSync(cap)) {
    const out = execFileSync('node', [bin, 'export', cap, ...(ca ? ['--ca', ca] : [])], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const sessions = JSON.parse(out);
    const s = which === 'last' ? sessions[sessions.length - 1] : sessions[0];
    got = s
      ? { codes: s.findings.map((f) => f.code), established: s.established, alerts: s.alerts.map((a) => `${a.from[0]}:${a.encrypted ? 'enc' : a.description}@${a.after}`).join(' '), history: s.history, n: sessions.length }
      : { codes: ['(no session)'], established: null, alerts: '' };
  }
  const codeOk = code === '-' ? !got.codes.some((c) => ['handshake_failed', 'reset_during_handshake'].includes(c)) : got.codes.includes(code);
  const estOk = String(got.established) === est;
  if (codeOk && estOk) ok++;
  results.push({ name, tls, code, est, codeOk, estOk, ...got });
  console.log(`${codeOk && estOk ? 'OK  ' : 'MISS'} ${name.padEnd(24)} ${tls.padEnd(4)} want ${code}/${est}  got est=${got.established} [${got.codes.join(',')}] alerts=${got.alerts} h=${got.history ?? ''}`);
}
console.log(`\n${ok}/${rows.length} right`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
