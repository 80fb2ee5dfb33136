/**
 * Pure text for the terminal UI: list columns, line segments and word wrap (the
 * detail pane's lines are built from the tree, tree.ts).
 * Every string from the wire goes through safeText (or safeMessage for
 * finding messages, which are escaped already) here, before it is drawn.
 */
import type { Session } from '../core/model.js';
import { sessionStatus } from '../cli/render.js';
import { safeText } from '../session/safe-text.js';

export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'magenta' | 'gray' | 'blue' | 'white';

export interface Seg {
  text: string;
  color?: Color;
  bold?: boolean;
  dim?: boolean;
  /** Reverse video (the hex view's highlighted bytes, the tree's selected row). */
  inverse?: boolean;
  underline?: boolean;
}
export type Line = Seg[];

// ------------------------------------------------------------------ list

export type ColumnKey = 'time' | 'client' | 'server' | 'sni' | 'version' | 'cipher' | 'alpn' | 'status' | 'findings';

export interface Column {
  key: ColumnKey;
  title: string;
  width: number;
}

/** Left to right; lower `prio` columns are kept first when the terminal is narrow. */
const COLS: { key: ColumnKey; title: string; width: number; prio: number }[] = [
  { key: 'time', title: 'TIME', width: 12, prio: 1 },
  { key: 'client', title: 'CLIENT', width: 21, prio: 3 },
  { key: 'server', title: 'SERVER', width: 21, prio: 1 },
  { key: 'sni', title: 'SNI', width: 12, prio: 1 },
  { key: 'version', title: 'VER', width: 6, prio: 2 },
  { key: 'cipher', title: 'CIPHER', width: 20, prio: 4 },
  { key: 'alpn', title: 'ALPN', width: 8, prio: 5 },
  { key: 'status', title: 'STATUS', width: 16, prio: 1 },
  { key: 'findings', title: 'FINDINGS', width: 8, prio: 2 },
];

const SNI_MAX = 40;

/** The columns that fit `width` (one space between columns); SNI takes what is left. */
export function columns(width: number): Column[] {
  const chosen = new Set<ColumnKey>();
  const used = (): number => COLS.filter((c) => chosen.has(c.key)).reduce((n, c) => n + c.width + 1, 0);
  for (const prio of [1, 2, 3, 4, 5]) {
    // a column of a lower priority is never shown when one of a higher priority did not fit
    if (COLS.some((c) => c.prio < prio && !chosen.has(c.key))) break;
    for (const c of COLS.filter((x) => x.prio === prio)) {
      chosen.add(c.key);
      // the client, cipher and ALPN only when the SNI and the status can still have a comfortable width
      const extra = prio >= 3 ? 12 : 0;
      if (used() + extra > width && prio > 1) chosen.delete(c.key);
    }
  }
  const cols = COLS.filter((c) => chosen.has(c.key)).map((c) => ({ key: c.key, title: c.title, width: c.width }));
  let spare = width - used();
  const sni = cols.find((c) => c.key === 'sni') as Column;
  // share what is left: SNI to 20, the status to its longest words (FAILED:protocol_version_mismatch), SNI to 28, then the SNI
  const st = cols.find((c) => c.key === 'status') as Column;
  const grow = (c: Column, to: number): void => {
    const more = Math.max(0, Math.min(spare, to - c.width));
    c.width += more;
    spare -= more;
  };
  grow(sni, 20);
  grow(st, 32);
  grow(sni, 28);
  grow(sni, SNI_MAX);
  if (spare > 0) sni.width += spare;
  // narrower than the minimum: shrink the SNI and the status so the row still fits
  if (spare < 0) {
    sni.width = Math.max(6, sni.width + spare);
    const over = cols.reduce((n, c) => n + c.width + 1, 0) - width;
    if (over > 0) {
      st.width = Math.max(6, st.width - over);
    }
  }
  return cols;
}

export function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' -> 'ECDHE-RSA-AES128-GCM-SHA256'. */
export function shortCipher(name: string | null): string {
  if (!name) return '-';
  return name
    .replace(/^TLS_/, '')
    .replace(/_WITH_/, '_')
    .replace(/(AES|CAMELLIA|ARIA)_(\d+)/g, '$1$2')
    .replace(/CHACHA20_POLY1305/, 'CHACHA20-POLY1305')
    .replace(/_/g, '-');
}

export function shortVersion(name: string | null): string {
  if (!name) return '-';
  return name.replace(/^(TLS|SSL|DTLS) /, '$1');
}

const SEV_SHORT: Record<string, string> = { high: 'high', medium: 'med', low: 'low', info: 'info' };
const SEV_ORDER = ['info', 'low', 'medium', 'high'];

/** Number of findings and the worst severity: '2 high', '-' for none. */
export function findingsCell(s: Session): string {
  if (s.findings.length === 0) return '-';
  let worst = 0;
  for (const f of s.findings) worst = Math.max(worst, SEV_ORDER.indexOf(f.severity));
  return `${s.findings.length} ${SEV_SHORT[SEV_ORDER[worst] as string]}`;
}

/** Colour of a findings cell by its worst severity. */
export function findingsColor(text: string): Color | undefined {
  if (text.endsWith('high')) return 'red';
  if (text.endsWith('med')) return 'yellow';
  if (text.endsWith('low')) return 'cyan';
  return undefined;
}

export function statusColor(status: string): Color {
  if (status.startsWith('ok')) return 'green';
  if (status.startsWith('FAILED')) return 'red';
  return 'yellow';
}

/** The text of one list cell (already safe to draw). */
export function cell(s: Session, key: ColumnKey): string {
  switch (key) {
    case 'time':
      return s.start_time.slice(11, 23);
    case 'client':
      return endpoint(s.client);
    case 'findings':
      return findingsCell(s);
    case 'server':
      return endpoint(s.server);
    case 'sni':
      return s.server_name === null ? '-' : safeText(s.server_name);
    case 'version':
      return shortVersion(s.version_name);
    case 'cipher':
      return shortCipher(s.cipher_suite_name);
    case 'alpn':
      return s.alpn === null ? '-' : safeText(s.alpn);
    case 'status':
      return safeText(sessionStatus(s));
  }
}

// ------------------------------------------------------------------ detail

/** Word-wrap plain text to `width` columns (by code points), continuation lines indented. */
export function wrap(text: string, width: number, indent = 0): string[] {
  const w = Math.max(10, width);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const cand = line === '' ? word : `${line} ${word}`;
    const lim = out.length === 0 ? w : w - indent;
    if (Array.from(cand).length <= lim || line === '') {
      line = cand;
      // a single word longer than the line: hard-cut it
      while (Array.from(line).length > lim) {
        const cps = Array.from(line);
        out.push(cps.slice(0, lim).join(''));
        line = cps.slice(lim).join('');
      }
    } else {
      out.push(line);
      line = word;
    }
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out.map((l, i) => (i === 0 ? l : ' '.repeat(indent) + l));
}


