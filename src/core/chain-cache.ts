/**
 * A bounded cache keyed by a numeric content hash, for values the decoders
 * share between sessions (cipher-suite lists, extensions, fingerprints,
 * certificate summaries). Entries with the same hash form a chain through
 * `next`; the caller walks it and confirms a hit by comparing the content it
 * keeps, so no key string is built per lookup. When full it starts over
 * (clears): the point is reuse between nearby sessions, not an LRU.
 */
/** One step of the FNV-1a-style mixing the caches hash their keys with (start from FNV_OFFSET or any seed). */
export function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 0x01000193);
}
export const FNV_OFFSET = 0x811c9dc5;

/** `mix` over the bytes of buf[start, end). */
export function mixBytes(h: number, buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) h = mix(h, buf[i] as number);
  return h;
}

/** `mix` over a sample of `b`: about `spread` bytes spread over it (all of them up to 64), then its last `tail`. */
export function mixSampled(h: number, b: Uint8Array, spread: number, tail: number): number {
  const n = b.length;
  const step = n > 64 ? Math.floor(n / spread) : 1;
  for (let i = 0; i < n; i += step) h = mix(h, b[i] as number);
  return mixBytes(h, b, n > tail ? n - tail : 0, n);
}

/** `mix` over the UTF-16 units of a string. */
export function mixText(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

/** `mix` over a list of numbers. */
export function mixList(h: number, l: readonly number[]): number {
  for (let i = 0; i < l.length; i++) h = mix(h, l[i] as number);
  return h;
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
