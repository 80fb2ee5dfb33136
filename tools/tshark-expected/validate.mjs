#!/usr/bin/env node
// Checks that expected.mjs reproduces the shared tshark reference: regenerates
// <shared>/expected/tshark/<set>/*.json from <shared>/<set>/* and compares them per record
// and field (parsed JSON), and byte for byte.
//
// usage: node tools/tshark-expected/validate.mjs [--shared ../shared/captures] [--work /tmp/tx/regen] [SET...]
// Exit status 0 when every file is equal.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedRecords, dumpPython } from './expected.mjs';

const argv = process.argv.slice(2);
let shared = existsSync('../shared/captures') ? '../shared/captures' : '/work/shared/captures';
const sets = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--shared') shared = argv[++i];
  else sets.push(argv[i]);
}
if (!sets.length) sets.push(...readdirSync(join(shared, 'expected', 'tshark')));

function flat(v, p = '', out = {}) {
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) flat(x, p ? `${p}.${k}` : k, out);
  else out[p] = v;
  return out;
}
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);

let files = 0, filesEq = 0, bytesEq = 0, recs = 0, recsEq = 0;
for (const set of sets) {
  const refDir = join(shared, 'expected', 'tshark', set);
  for (const name of readdirSync(refDir).sort()) {
    const cap = join(shared, set, name.replace(/\.json$/, ''));
    const refText = readFileSync(join(refDir, name), 'utf8');
    const ref = JSON.parse(refText);
    files++;
    let got;
    try { got = await expectedRecords(cap); } catch (e) { console.log(`${set}/${name}: ${e.message}`); continue; }
    const gotText = dumpPython(got);
    if (gotText === refText) bytesEq++;
    const k = (r) => `${r.transport}:${r.stream}`;
    const rm = new Map(ref.map((r) => [k(r), r])), gm = new Map(got.map((r) => [k(r), r]));
    let fileOk = true;
    for (const key of new Set([...rm.keys(), ...gm.keys()])) {
      const r = rm.get(key), g = gm.get(key);
      if (r) recs++;
      if (!r || !g) { fileOk = false; console.log(`${set}/${name} ${key}: only in ${r ? 'reference' : 'regenerated'}`); continue; }
      if (eq(r, g)) { recsEq++; continue; }
      fileOk = false;
      const a = flat(r), b = flat(g);
      for (const f of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (!eq(a[f], b[f])) console.log(`${set}/${name} ${key} ${f}: reference ${JSON.stringify(a[f])?.slice(0, 120)} regenerated ${JSON.stringify(b[f])?.slice(0, 120)}`);
      }
      if (eq(a, b)) console.log(`${set}/${name} ${key}: key order differs`);
    }
    if (fileOk) filesEq++;
  }
}
console.log(`files equal ${filesEq}/${files} (byte-identical ${bytesEq}); records equal ${recsEq}/${recs}`);
process.exit(filesEq === files ? 0 : 1);
