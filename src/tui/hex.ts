/**
 * A classic hex dump of a handshake message's raw bytes for the terminal UI,
 * with the selected field's bytes highlighted (inverse video).
 *
 *   0000  16 03 01 02 00 01 00 01  fc 03 03 11 11 11 11 11  ................
 *
 * 16 bytes per row when the pane is at least 78 columns wide, else 8. The
 * ASCII column shows only printable ASCII (0x20-0x7e); every other byte is
 * '.', so hostile bytes never reach the terminal.
 */
import type { Line, Seg } from './format.js';

export interface HexView {
  lines: Line[];
  /** line index of the first highlighted byte, for scrolling it into view */
  focusLine: number;
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

function printable(b: number): string {
  return b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
}

/** Append text to a line, merging with the last segment when the style is the same. */
function push(line: Line, text: string, hl: boolean, dim = false): void {
  const last = line[line.length - 1];
  if (last && (last.inverse === true) === hl && (last.dim === true) === dim) {
    last.text += text;
    return;
  }
  const s: Seg = { text };
  if (hl) s.inverse = true;
  if (dim) s.dim = true;
  line.push(s);
}

/**
 * Classic hex dump (offset, 16 or 8 bytes per row depending on width >= 78,
 * hex, ASCII with '.' for non-printables) with bytes [hl.start, hl.end)
 * highlighted (inverse).
 */
export function hexDump(bytes: Uint8Array, width: number, hl: { start: number; end: number } | null): HexView {
  const per = width >= 78 ? 16 : 8;
  const n = bytes.length;
  const offDigits = Math.max(4, (Math.max(0, n - 1)).toString(16).length);
  const lo = hl ? Math.max(0, Math.min(n, Math.trunc(hl.start))) : 0;
  const hi = hl ? Math.max(lo, Math.min(n, Math.trunc(hl.end))) : 0;
  const on = (i: number): boolean => i >= lo && i < hi;
  const lines: Line[] = [];
  for (let row = 0; row * per < n; row++) {
    const base = row * per;
    const line: Line = [{ text: `${base.toString(16).padStart(offDigits, '0')}  `, dim: true }];
    for (let k = 0; k < per; k++) {
      const i = base + k;
      if (k > 0) {
        // the gap between two highlighted bytes is highlighted too (one block), the others are not
        const gap = k === per / 2 ? '  ' : ' ';
        push(line, gap, i < n && on(i) && on(i - 1));
      }
      if (i < n) push(line, HEX[bytes[i] as number] as string, on(i));
      else push(line, '  ', false);
    }
    push(line, '  ', false);
    for (let k = 0; k < per && base + k < n; k++) push(line, printable(bytes[base + k] as number), on(base + k));
    lines.push(line);
  }
  const focusLine = n === 0 ? 0 : Math.min(lines.length - 1, Math.floor(Math.min(lo, n - 1) / per));
  return { lines, focusLine: hl ? focusLine : 0 };
}
