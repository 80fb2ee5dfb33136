/**
 * The detail tree, built from real sessions: fixtures through analyze(), and a
 * capture made here from encoded hellos (GREASE, a hostile SNI) whose raw
 * messages are attached with setRawMessages (the same bytes that were sent).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import type { Session } from '../../src/core/model.js';
import { setRawMessages, type RawMessage } from '../../src/core/raw.js';
import { writePcap } from '../../src/capture/writer.js';
import { handshakeLayout } from '../../src/tls/layout.js';
import { groupName } from '../../src/registry/index.js';
import { sessionTree, treeRowLine, treeRows, type TreeNode } from '../../src/tui/tree.js';
import type { Line } from '../../src/tui/format.js';
import { packetize } from '../../tools/fixtures/packetize.js';
import { alpn, cat, clientHello, ext, groups, keyShareCH, keyShareSH, record, serverHello, u16, u8, vec, versionsCH } from '../tls/build.js';

const text = (l: Line): string => l.map((s) => s.text).join('');
function all(nodes: readonly TreeNode[], out: TreeNode[] = []): TreeNode[] {
  for (const n of nodes) {
    out.push(n);
    all(n.children, out);
  }
  return out;
}
function find(nodes: readonly TreeNode[], id: string): TreeNode {
  const n = all(nodes).find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
}

const EVIL = 'evil\x1b[31mRED\x1b[0m\u202egnp.exe\x07.example';
const CH = clientHello({
  cipherSuites: [0x2a2a, 0x1301, 0x1302, 0xc02f],
  extensions: [
    ext(0xdada),
    ext(0, vec(2, cat(u8(0), vec(2, new TextEncoder().encode(EVIL))))),
    ext(10, groups([0x3a3a, 0x001d, 0x0017])),
    ext(16, alpn(['h2', 'http/1.1', 'x\x1b]0;pwn\x07'])),
    ext(43, versionsCH([0x4a4a, 0x0304, 0x0303])),
    ext(51, keyShareCH([{ group: 0x001d, len: 32 }])),
  ],
});
const SH = serverHello({ cipherSuite: 0x1302, extensions: [ext(43, u16(0x0304)), ext(16, alpn(['h2'])), ext(51, keyShareSH(0x001d, 32))] });

let made: Session;
let diag: Session[];
let demo: Session[];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tlsscope-tree-'));
  const file = join(dir, 'grease.pcap');
  const pk = packetize({
    name: 'tree', client: { ip: '192.0.2.1', port: 40001 }, server: { ip: '192.0.2.2', port: 443 },
    events: [
      { from: 'client', tMs: 1, data: record(22, 0x0301, CH) },
      { from: 'server', tMs: 30, data: record(22, 0x0303, SH) },
      { from: 'server', tMs: 31, data: record(23, 0x0303, new Uint8Array(40)) },
      { from: 'client', tMs: 5000, close: 'fin' },
    ],
  });
  writeFileSync(file, writePcap(pk.frames, { linkType: pk.linkType }));
  const r = await analyze(file);
  made = r.sessions[0] as Session;
  const raw: RawMessage[] = [{ from: 'client', type: 1, bytes: CH }, { from: 'server', type: 2, bytes: SH }];
  setRawMessages(made, raw);
  diag = (await analyze('fixtures/diagnose.pcapng')).sessions;
  demo = (await analyze('fixtures/demo.pcapng')).sessions;
});

describe('sessionTree', () => {
  it('top-level sections in order', () => {
    const ids = sessionTree(made, 100).map((n) => n.id);
    expect(ids).toEqual(['summary', 'findings', 'hs', 'ch', 'sh', 'oc', 'certs', 'alerts', 'anomalies', 'flags', 'counts']);
    const withHrr = demo.find((s) => s.hello_retry_request)!;
    const t = sessionTree(withHrr, 100);
    expect(t.map((n) => n.id)).toEqual(['summary', 'findings', 'hs', 'ch', 'hrr', 'sh', 'oc', 'certs', 'alerts', 'anomalies', 'flags', 'counts']);
    const g = withHrr.hello_retry_request!.key_share_group!;
    expect(text(find(t, 'hrr/group').label)).toContain(`selected group: ${groupName(g)}`);
    expect(text(find(t, 'hrr/ch').label)).toMatch(/^ClientHello \(retry\)/);
    expect(text(find(t, 'hs/timing/hrr').label)).toMatch(/HelloRetryRequest extra: \+[\d.]+ ms/);
  });

  it('marks the chosen cipher suite inside the ClientHello offer, and only that one', () => {
    const t = sessionTree(made, 100);
    const suites = find(t, 'ch/suites').children;
    expect(suites).toHaveLength(4);
    const marked = suites.filter((n) => text(n.label).includes('◀ chosen'));
    expect(marked.map((n) => n.id)).toEqual(['ch/suites/2']);
    expect(text(marked[0]!.label)).toContain('TLS_AES_256_GCM_SHA384');
    expect(text(marked[0]!.label)).toContain('0x1302');
    expect(marked[0]!.label.some((s) => s.color === 'green' && s.bold)).toBe(true);
    // also the chosen group, version and ALPN in their extensions
    const chosenIn = (id: string): string[] => find(t, id).children.filter((n) => text(n.label).includes('◀ chosen')).map((n) => text(n.label));
    expect(chosenIn('ch/ext/2')[0]).toMatch(/^x25519/);
    expect(chosenIn('ch/ext/4')[0]).toMatch(/^TLS 1\.3/);
    expect(made.alpn).toBe('h2');
    expect(chosenIn('ch/ext/3')).toEqual(['h2 ◀ chosen']);
    expect(chosenIn('ch/ext/5')[0]).toMatch(/^x25519.*key 32 bytes/);
  });

  it('marks GREASE suites, extensions, groups and versions', () => {
    const t = sessionTree(made, 100);
    expect(text(find(t, 'ch/suites/0').label)).toContain('[GREASE]');
    expect(text(find(t, 'ch/suites/1').label)).not.toContain('GREASE');
    expect(text(find(t, 'ch/ext/0').label)).toContain('[GREASE]');
    expect(text(find(t, 'ch/ext/2/0').label)).toContain('[GREASE]');
    expect(text(find(t, 'ch/ext/4/0').label)).toContain('[GREASE]');
    expect(text(find(t, 'ch/suites').label)).toContain('(+1 GREASE)');
  });

  it('hex references point at the right bytes of the raw messages', () => {
    const t = sessionTree(made, 100);
    const suite = find(t, 'ch/suites/2').hex;
    expect(suite).toBeDefined();
    expect(suite!.message).toBe(0);
    expect([...CH.subarray(suite!.start, suite!.end)]).toEqual([0x13, 0x02]);
    const sni = find(t, 'ch/ext/1').hex!;
    expect([...CH.subarray(sni.start, sni.start + 2)]).toEqual([0, 0]);
    expect(find(t, 'ch/random').hex).toMatchObject({ message: 0, start: 6, end: 38 });
    const shAlpn = find(t, 'sh/alpn').hex!;
    expect(new TextDecoder().decode(SH.subarray(shAlpn.end - 2, shAlpn.end))).toBe('h2');
    const shSuite = find(t, 'sh/suite').hex!;
    expect(shSuite.message).toBe(1);
    expect([...SH.subarray(shSuite.start, shSuite.end)]).toEqual([0x13, 0x02]);
    const sv = find(t, 'sh/selected_version').hex!;
    expect([...SH.subarray(sv.start, sv.end)]).toEqual([0x03, 0x04]);
    // every ref lies inside its message
    const msgs = [CH, SH];
    for (const n of all(t)) if (n.hex) expect(n.hex.end).toBeLessThanOrEqual(msgs[n.hex.message]!.length);
    // the layout agrees on the number of extensions
    expect(find(t, 'ch/ext').children).toHaveLength(handshakeLayout(1, CH).find((r) => r.path === 'extensions')!.children.length);
  });

  it('no raw messages: no hex refs (the export path)', () => {
    const t = sessionTree(diag[0]!, 100);
    expect(all(t).some((n) => n.hex)).toBe(false);
    expect(find(t, 'ch/suites').children.length).toBeGreaterThan(0);
  });

  it('hostile strings from the wire never reach a label raw', () => {
    const t = sessionTree(made, 100);
    const labels = all(t).map((n) => text(n.label));
    expect(labels.some((l) => l.includes('evil'))).toBe(true);
    for (const l of labels) expect(l).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u2066-\u2069]/);
    expect(labels.join('\n')).toContain('\\x1b[31mRED');
    const rows = treeRows(t, new Set(all(t).map((n) => n.id)));
    for (const r of rows) expect(text(treeRowLine(r))).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202e]/);
  });

  it('offered vs chosen', () => {
    const t = sessionTree(made, 100);
    expect(text(find(t, 'oc/cipher').label)).toBe('cipher: 3 offered → TLS_AES_256_GCM_SHA384');
    expect(text(find(t, 'oc/version').label)).toBe('version: TLS 1.3, TLS 1.2 → TLS 1.3');
    expect(text(find(t, 'oc/group').label)).toContain('→ x25519');
  });

  it('certificates: subject, issuer, validity at capture time, SAN match, chain verdict', () => {
    const s = diag.find((x) => x.findings.some((f) => f.code === 'cert_expired') && x.certificates.length > 0)!;
    const t = sessionTree(s, 100);
    const c0 = find(t, 'certs/0');
    expect(text(c0.label)).toContain('api.example.com');
    expect(text(c0.label)).toContain('expired');
    const v = text(find(t, 'certs/0/validity').label);
    expect(v).toContain('2025-10-01 → 2026-10-01');
    expect(v).toContain('at capture: expired');
    expect(v).toMatch(/expired \d+ days before the capture/);
    expect(text(find(t, 'certs/1/validity').label)).toMatch(/at capture: valid \(expires \d+ days after the capture\)/);
    expect(text(find(t, 'certs/0/san/0').label)).toContain('✓ matches SNI');
    expect(text(find(t, 'certs/0/issuer').label)).toContain('Intermediate');
    expect(text(find(t, 'certs/chain/trust').label)).toBe('not trusted');
    expect(text(find(t, 'certs/chain/hostname').label)).toContain('matches');
    // a TLS 1.3 session says its certificates are encrypted
    const tls13 = diag.find((x) => x.certificates_encrypted)!;
    expect(text(find(sessionTree(tls13, 100), 'certs/encrypted').label)).toContain('encrypted');
  });

  it('findings: open, with the wrapped plain-language message as children', () => {
    const s = diag.find((x) => x.findings.length > 1)!;
    const t = sessionTree(s, 50);
    const f = find(t, 'findings');
    expect(f.open).toBe(true);
    expect(f.children).toHaveLength(s.findings.length);
    const first = f.children[0]!;
    const msg = first.children.filter((n) => n.id.startsWith(`${first.id}/msg/`));
    expect(msg.length).toBeGreaterThan(1);
    for (const m of msg) expect(text(m.label).length).toBeLessThanOrEqual(42);
    const joined = msg.map((m) => text(m.label)).join(' ');
    expect(s.findings.some((x) => x.message.replace(/\s+/g, ' ') === joined)).toBe(true);
  });

  it('handshake: history with its legend, steps, timings', () => {
    const t = sessionTree(diag[0]!, 100);
    expect(text(find(t, 'hs/history').label)).toBe(`history: ${diag[0]!.history}`);
    expect(text(find(t, 'hs/history/C').label)).toContain('client_hello (client)');
    expect(text(find(t, 'hs/history/s').label)).toContain('server_hello (server)');
    expect(find(t, 'hs/steps').children).toHaveLength(diag[0]!.steps.length);
    expect(text(find(t, 'hs/timing/ch_sh').label)).toMatch(/ClientHello → ServerHello: [\d.]+ ms/);
  });

  it('ids are unique in every fixture session', () => {
    for (const s of [made, ...diag, ...demo]) {
      const ids = all(sessionTree(s, 80)).map((n) => n.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('memoised per (session, width), rebuilt when raw messages are attached', () => {
    const s = diag[1]!;
    const a = sessionTree(s, 90);
    expect(sessionTree(s, 90)).toBe(a);
    expect(sessionTree(s, 91)).not.toBe(a);
    setRawMessages(s, []);
    expect(sessionTree(s, 90)).not.toBe(a);
  });
});

describe('treeRows / treeRowLine', () => {
  it('default open state, toggling opens and closes', () => {
    const t = sessionTree(made, 100);
    const rows0 = treeRows(t, new Set());
    const ids0 = rows0.map((r) => r.node.id);
    // ClientHello is open: its fields show; the suites list is closed
    expect(ids0).toContain('ch/suites');
    expect(ids0).not.toContain('ch/suites/0');
    const chRow = rows0.find((r) => r.node.id === 'ch')!;
    expect(chRow).toMatchObject({ depth: 0, open: true, hasChildren: true });
    expect(rows0.find((r) => r.node.id === 'ch/suites')).toMatchObject({ depth: 1, open: false, hasChildren: true });
    // open the suites
    const rows1 = treeRows(t, new Set(['ch/suites']));
    expect(rows1.filter((r) => r.node.id.startsWith('ch/suites/')).map((r) => r.depth)).toEqual([2, 2, 2, 2]);
    // close the ClientHello: nothing under it shows, even the toggled suites
    const rows2 = treeRows(t, new Set(['ch', 'ch/suites']));
    expect(rows2.some((r) => r.node.id.startsWith('ch/'))).toBe(false);
    expect(rows2.length).toBeLessThan(rows0.length);
    // a leaf is never open
    const leaf = rows1.find((r) => r.node.id === 'ch/suites/1')!;
    expect(leaf).toMatchObject({ open: false, hasChildren: false });
  });
  it('row lines: indentation, marker, label', () => {
    const t = sessionTree(made, 100);
    const rows = treeRows(t, new Set(['ch/suites']));
    expect(text(treeRowLine(rows.find((r) => r.node.id === 'ch')!))).toMatch(/^▾ ClientHello/);
    expect(text(treeRowLine(rows.find((r) => r.node.id === 'ch/suites')!))).toMatch(/^  ▾ cipher suites: 3 offered/);
    expect(text(treeRowLine(rows.find((r) => r.node.id === 'ch/suites/1')!))).toBe('      TLS_AES_128_GCM_SHA256 (0x1301)');
    expect(text(treeRowLine(rows.find((r) => r.node.id === 'counts')!))).toMatch(/^▸ Counts/);
  });
});
