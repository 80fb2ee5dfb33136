/**
 * Number lists that repeat from session to session (a client build's
 * extension order, a server's): one shared, frozen array per distinct list
 * (bounded, like the decoders' other shared values), and a small id per
 * frozen list so that caches downstream (fingerprints) can recognise a list
 * by identity instead of hashing and comparing its numbers each time.
 */
import { ChainCache, mixList } from './chain-cache.js';

interface ListEntry {
  list: readonly number[];
  next: ListEntry | undefined;
}
const lists = new ChainCache<ListEntry>(4096);

export function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `l`, or the shared list equal to it; either way frozen from now on. */
export function internList(l: number[]): number[] {
  const h = mixList(l.length, l);
  for (let e = lists.head(h); e; e = e.next) if (sameList(e.list, l)) return e.list as number[];
  Object.freeze(l);
  lists.add(h, { list: l, next: undefined });
  return l;
}

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A number of its own for an object (kept while the object lives): equal ids, same object. */
export function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

/**
 * An id for a list that cannot change: 0 for every empty list, its object id
 * for a frozen one (equal ids: the same array), -1 for a list that may still
 * change (no id).
 */
export function listId(l: readonly number[]): number {
  if (l.length === 0) return 0;
  if (!Object.isFrozen(l)) return -1;
  return objectId(l);
}

/** Freezes `v` and everything reachable from it (plain data); returns it. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
