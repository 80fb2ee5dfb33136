import { describe, expect, it } from 'vitest';
import { ChainCache } from '../../src/core/chain-cache.js';

interface E {
  v: string;
  next: E | undefined;
}

const chain = (c: ChainCache<E>, h: number): string[] => {
  const out: string[] = [];
  for (let e = c.head(h); e; e = e.next) out.push(e.v);
  return out;
};

describe('ChainCache', () => {
  it('chains entries of one hash, newest first, and keeps hashes apart', () => {
    const c = new ChainCache<E>(10);
    c.add(1, { v: 'a', next: undefined });
    c.add(1, { v: 'b', next: undefined });
    c.add(2, { v: 'c', next: undefined });
    expect(chain(c, 1)).toEqual(['b', 'a']);
    expect(chain(c, 2)).toEqual(['c']);
    expect(chain(c, 3)).toEqual([]);
    expect(c.size).toBe(3);
  });

  it('starts over when full, so it never holds more than its bound', () => {
    const c = new ChainCache<E>(3);
    for (let i = 0; i < 3; i++) c.add(i, { v: String(i), next: undefined });
    c.add(7, { v: 'x', next: undefined });
    expect(c.size).toBe(1);
    expect(chain(c, 0)).toEqual([]);
    expect(chain(c, 7)).toEqual(['x']);
    c.clear();
    expect(c.size).toBe(0);
    expect(chain(c, 7)).toEqual([]);
  });
});
