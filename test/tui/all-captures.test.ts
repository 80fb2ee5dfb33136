/**
 * Every session of every capture we have (the project's fixtures, and the
 * shared real captures when ../shared is there) through the UI's pure parts:
 * the detail tree fully expanded, the hex dump of every raw message with
 * every tree field highlighted, the list cells, the groups and the diagnosis.
 * Nothing may throw, and no drawn text may carry a control character.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { captureFiles } from '../e2e/helpers.js';
import { analyze } from '../../src/analyze.js';
import { rawMessages } from '../../src/core/raw.js';
import type { Session } from '../../src/core/model.js';
import { sessionTree, treeRows, treeRowLine, type TreeNode } from '../../src/tui/tree.js';
import { hexDump } from '../../src/tui/hex.js';
import { cell, columns, type Line } from '../../src/tui/format.js';
import { groupSessions, groupLine, GROUP_KEYS } from '../../src/tui/groups.js';
import { diagnosisLines } from '../../src/tui/diagnosis.js';
import { evaluate, parseFilter } from '../../src/tui/filter.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { packetize } from '../../tools/fixtures/packetize.js';
import { writePcap } from '../../src/capture/writer.js';
import { alpn, cat, clientHello, ext, record, u8, vec } from '../tls/build.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHARED = join(ROOT, '..', 'shared', 'captures');


// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function text(l: Line): string {
  return l.map((s) => s.text).join('');
}

function allIds(nodes: readonly TreeNode[], out: Set<string>): Set<string> {
  for (const n of nodes) {
    out.add(n.id);
    allIds(n.children, out);
  }
  return out;
}

async function exercise(file: string): Promise<number> {
  let sessions: Session[];
  try {
    sessions = (await analyze(file, { keepRaw: true })).sessions;
  } catch {
    return 0; // not a capture we read (covered by the capture tests)
  }
  for (const s of sessions) {
    for (const width of [80, 120]) {
      const tree = sessionTree(s, width);
      // everything open: every closed node toggled
      const rows = treeRows(tree, allIds(tree, new Set()));
      const rowsDefault = treeRows(tree, new Set());
      for (const r of [...rows, ...rowsDefault]) {
        const t = text(treeRowLine(r));
        expect(CONTROL.test(t), `${file} session ${s.id}: ${JSON.stringify(t)}`).toBe(false);
      }
      const raw = rawMessages(s) ?? [];
      for (const r of rows) {
        const h = r.node.hex;
        if (!h) continue;
        const m = raw[h.message];
        expect(m, `${file} session ${s.id} node ${r.node.id}: hex ref to a missing message`).toBeDefined();
        expect(h.start).toBeGreaterThanOrEqual(0);
        expect(h.end).toBeLessThanOrEqual(m!.bytes.length);
        const v = hexDump(m!.bytes, width, { start: h.start, end: h.end });
        for (const l of v.lines) expect(CONTROL.test(text(l))).toBe(false);
      }
      for (const m of raw) hexDump(m.bytes, width, null);
      for (const c of columns(width)) expect(CONTROL.test(cell(s, c.key))).toBe(false);
    }
  }
  const all = sessions.map((_, i) => i);
  for (const k of GROUP_KEYS) {
    for (const g of groupSessions(sessions, all, k)) {
      expect(CONTROL.test(text(groupLine(g, 120)))).toBe(false);
      // each group's filter selects exactly its sessions
      const f = parseFilter(g.filter);
      expect(sessions.filter((s) => evaluate(f, s)).length, `${file} group ${k} ${g.filter}`).toBe(g.count);
    }
  }
  for (const d of diagnosisLines(sessions, 100)) expect(CONTROL.test(text(d.line))).toBe(false);
  return sessions.length;
}

/** A capture whose SNI and ALPN carry escapes, a bidi override and a bell (as in test/e2e/hostile-strings). */
function hostileCapture(): string {
  const evil = 'evil\x1b[31mRED\x1b[0m\u202egnp.exe\x07.example';
  const sni = vec(2, cat(u8(0), vec(2, new TextEncoder().encode(evil))));
  const ch = record(22, 0x0301, clientHello({ cipherSuites: [0x1301, 0x0a0a], extensions: [ext(0, sni), ext(16, alpn(['h2\x1b]0;pwn\x07']))] }));
  const pk = packetize({
    name: 'hostile', client: { ip: '192.0.2.1', port: 40001 }, server: { ip: '192.0.2.2', port: 443 },
    events: [{ from: 'client', tMs: 1, data: ch }, { from: 'client', tMs: 5000, close: 'fin' }],
  });
  const file = join(mkdtempSync(join(tmpdir(), 'tlsscope-ui-hostile-')), 'hostile.pcap');
  writeFileSync(file, writePcap(pk.frames, { linkType: pk.linkType }));
  return file;
}

describe('the UI over every capture', () => {
  it('a hostile capture: its SNI and ALPN are drawn escaped everywhere', async () => {
    expect(await exercise(hostileCapture())).toBe(1);
  });

  it('fixtures/', async () => {
    let n = 0;
    for (const f of captureFiles(join(ROOT, 'fixtures'), true)) n += await exercise(f);
    expect(n).toBeGreaterThan(50);
  }, 120_000);

  it.skipIf(!existsSync(SHARED))('../shared/captures (real traffic)', async () => {
    let n = 0;
    for (const f of captureFiles(SHARED, true)) n += await exercise(f);
    expect(n).toBeGreaterThan(100);
  }, 300_000);
});
