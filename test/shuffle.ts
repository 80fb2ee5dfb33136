/**
 * Shared by the property tests that feed pieces of a stream or datagram in
 * any order (TCP reassembly, IP fragments): duplicates and a shuffle drawn
 * from fast-check values, so a failing case shrinks and replays.
 */

/** `pieces` plus, for each `d` of `dups`, another copy of pieces[d % n] (retransmissions). */
export function withDuplicates<T>(pieces: readonly T[], dups: readonly number[]): T[] {
  const all = [...pieces];
  if (pieces.length > 0) for (const d of dups) all.push(pieces[d % pieces.length]!);
  return all;
}

/** Fisher-Yates shuffle of `all` in place with numbers from `rnd` (fc.infiniteStream); returns the stream for further draws. */
export function shuffleWith<T>(all: T[], rnd: Iterable<number>): Iterator<number> {
  const it = rnd[Symbol.iterator]();
  for (let i = all.length - 1; i > 0; i--) {
    const j = it.next().value! % (i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return it;
}
