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

describe('memo', () => {
  it('computes a key once, keeps at most max keys (then starts over), and keeps null results', async () => {
    const { memo } = await import('../../src/core/chain-cache.js');
    let calls = 0;
    const f = memo((k: string) => {
      calls++;
      return k === 'none' ? null : k.length;
    }, 2);
    expect(f('ab')).toBe(2);
    expect(f('ab')).toBe(2);
    expect(f('none')).toBeNull();
    expect(f('none')).toBeNull();
    expect(calls).toBe(2);
    f('xyz'); // a third key: the memo starts over
    f('ab');
    expect(calls).toBe(4);
  });
});
