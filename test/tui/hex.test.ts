import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hexDump } from '../../src/tui/hex.js';
import type { Line } from '../../src/tui/format.js';

const text = (l: Line): string => l.map((s) => s.text).join('');
const bytes = (n: number, f: (i: number) => number = (i) => i & 0xff): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i));

describe('hexDump', () => {
  it('16 bytes per row at width >= 78: offset, hex with a middle gap, ASCII', () => {
    const b = Uint8Array.from([...'Hello, TLS world', ...'!\x00\x7f'].map((c) => c.charCodeAt(0)));
    const v = hexDump(b, 100, null);
    expect(v.lines).toHaveLength(2);
    expect(text(v.lines[0]!)).toBe('0000  48 65 6c 6c 6f 2c 20 54  4c 53 20 77 6f 72 6c 64  Hello, TLS world');
    expect(text(v.lines[1]!)).toBe(`0010  21 00 7f${' '.repeat(3 * 13 + 1)}  !..`);
    expect(v.lines.flat().some((s) => s.inverse)).toBe(false);
    expect(v.focusLine).toBe(0);
  });
  it('8 bytes per row below 78 columns, and every row fits the width', () => {
    const v = hexDump(bytes(20), 60, null);
    expect(v.lines.map((l) => text(l).slice(0, 4))).toEqual(['0000', '0008', '0010']);
    expect(text(v.lines[1]!)).toBe('0008  08 09 0a 0b  0c 0d 0e 0f  ........');
    for (const l of v.lines) expect(text(l).length).toBeLessThanOrEqual(60);
    for (const l of hexDump(bytes(100), 78, null).lines) expect(text(l).length).toBeLessThanOrEqual(78);
  });
  it('offsets widen for long messages', () => {
    const v = hexDump(bytes(0x12345), 80, null);
    expect(text(v.lines[v.lines.length - 1]!).slice(0, 7)).toBe('12340  ');
  });
  it('the highlighted segments cover exactly the requested bytes, in hex and ASCII', () => {
    const b = bytes(64, (i) => 0x41 + (i % 26));
    const v = hexDump(b, 80, { start: 14, end: 35 });
    const hexHl = v.lines.flatMap((l) => l.filter((s) => s.inverse).map((s) => s.text));
    // hex: every row's highlighted hex block, ASCII: every row's highlighted characters
    const got = hexHl.join('|');
    const want = [...b.subarray(14, 35)].map((x) => x.toString(16)).join('');
    expect(got.replace(/[^0-9a-f]/g, '')).toBe(want);
    const ascii = hexHl.filter((t) => /^[A-Z]+$/.test(t)).join('');
    expect(ascii).toBe(String.fromCharCode(...b.subarray(14, 35)));
    expect(v.focusLine).toBe(0);
    expect(hexDump(b, 80, { start: 40, end: 41 }).focusLine).toBe(2);
    expect(hexDump(b, 40, { start: 40, end: 41 }).focusLine).toBe(5);
  });
  it('a highlight clamped to the buffer; an empty one highlights nothing', () => {
    const b = bytes(10);
    const v = hexDump(b, 80, { start: 8, end: 500 });
    expect(v.lines.flat().filter((s) => s.inverse).map((s) => s.text)).toEqual(['08 09', '\t\n'.replace(/./gs, '.')]);
    expect(hexDump(b, 80, { start: 3, end: 3 }).lines.flat().some((s) => s.inverse)).toBe(false);
    expect(hexDump(new Uint8Array(0), 80, { start: 0, end: 4 })).toEqual({ lines: [], focusLine: 0 });
  });
  it('property: the ASCII column and all text are printable ASCII only, whatever the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 20, max: 200 }), fc.nat(250), fc.nat(250), (b, w, s, e) => {
      const v = hexDump(b, w, { start: s, end: e });
      for (const l of v.lines) expect(text(l)).toMatch(/^[\x20-\x7e]*$/);
      const per = w >= 78 ? 16 : 8;
      expect(v.lines).toHaveLength(Math.ceil(b.length / per));
      const hlBytes = v.lines.flatMap((l) => l.filter((x) => x.inverse)).map((x) => x.text).join(' ');
      // hex pairs + their ASCII characters: 3 characters of evidence per highlighted byte
      const n = Math.max(0, Math.min(b.length, e) - Math.min(b.length, s));
      expect(hlBytes.replace(/ /g, '').length).toBeGreaterThanOrEqual(n * 2);
    }), { numRuns: 300 });
  });
});
