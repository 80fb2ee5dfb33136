/** MPLS label stack (RFC 3032): 4-byte entries until the bottom-of-stack bit. */

/** Offset after the label stack, or -1 when it runs past `end`. */
export function mplsSkipLabels(b: Uint8Array, off: number, end: number): number {
  while (off + 4 <= end) {
    const bos = b[off + 2]! & 1;
    off += 4;
    if (bos) return off;
  }
  return -1;
}
