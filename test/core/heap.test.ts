import { describe, expect, it } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import { HeapGovernor } from '../../src/core/heap.js';

describe('HeapGovernor', () => {
  it('collects once the heap passes the limit, then waits for it to double', () => {
    const g = new HeapGovernor(1); // a 1-byte floor: any heap is over it
    g.check();
    expect(g.collections).toBe(1);
    // right after a collection the heap is far below twice what survived
    g.check();
    expect(g.collections).toBe(1);
  });

  it('does nothing below the floor', () => {
    const g = new HeapGovernor(getHeapStatistics().used_heap_size + 512 * 1024 * 1024);
    g.check();
    expect(g.collections).toBe(0);
  });

  it('frees garbage that a collection can reclaim', () => {
    const g = new HeapGovernor(1);
    g.check();
    const before = getHeapStatistics().used_heap_size;
    // ~40 MB of short-lived garbage kept alive until the loop ends
    let keep: number[][] = [];
    for (let i = 0; i < 200; i++) keep.push(new Array(25_000).fill(i));
    expect(getHeapStatistics().used_heap_size).toBeGreaterThan(before + 20 * 1024 * 1024);
    keep = [];
    const g2 = new HeapGovernor(before + 10 * 1024 * 1024);
    g2.check();
    expect(g2.collections).toBe(1);
    expect(getHeapStatistics().used_heap_size).toBeLessThan(before + 20 * 1024 * 1024);
    expect(keep.length).toBe(0);
  });
});
