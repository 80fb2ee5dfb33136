/**
 * A bounded cache keyed by a numeric content hash, for values the decoders
 * share between sessions (cipher-suite lists, extensions, fingerprints,
 * certificate summaries). Entries with the same hash form a chain through
 * `next`; the caller walks it and confirms a hit by comparing the content it
 * keeps, so no key string is built per lookup. When full it starts over
 * (clears): the point is reuse between nearby sessions, not an LRU.
 */
/** One step of the FNV-1a-style mixing the caches hash their keys with. */
export function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 0x01000193);
}

export interface Chained<E> {
  next: E | undefined;
}

export class ChainCache<E extends Chained<E>> {
  private readonly map = new Map<number, E>();
  private count = 0;

  constructor(private readonly max: number) {}

  /** The first entry with hash `h` (follow `next` for the others). */
  head(h: number): E | undefined {
    return this.map.get(h);
  }

  /** Puts `e` in front of its hash's chain (its `next` is set here). */
  add(h: number, e: E): void {
    if (this.count >= this.max) this.clear();
    e.next = this.map.get(h);
    this.map.set(h, e);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.map.clear();
    this.count = 0;
  }
}

/**
 * `compute` remembered by key (strings from certificates and registries that
 * repeat from session to session), up to `max` keys; when full it starts over,
 * like ChainCache. `compute` must not return undefined.
 */
export function memo<K, V>(compute: (k: K) => V, max = 4096): (k: K) => V {
  const m = new Map<K, V>();
  return (k: K): V => {
    let v = m.get(k);
    if (v === undefined) {
      v = compute(k);
      if (m.size >= max) m.clear();
      m.set(k, v);
    }
    return v;
  };
}
