/**
 * The session serializer (src/export/json.ts) writes UTF-8 bytes itself and
 * caches the bytes of frozen parts: whatever it is given, its output must be
 * exactly JSON.stringify's.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { Step, type Session } from '../../src/core/model.js';
import { sessionJson, writeSessionBytes } from '../../src/export/json.js';
import { FIXTURES } from '../e2e/helpers.js';

const asSession = (v: unknown): Session => v as Session;

/** Bytes written for `v` by writeSessionBytes (with a suffix) as a string. */
function written(v: unknown, suffix = ''): string {
  let out: Buffer | undefined;
  writeSessionBytes(asSession(v), suffix, (b) => {
    out = Buffer.from(b);
  });
  return (out ?? Buffer.alloc(0)).toString('utf8');
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Strings of every kind: ASCII, controls, quotes, non-ASCII, astral, lone surrogates; short and long. */
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary', minLength: 120, maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\u007f', 'é', '\u2028', '\ud800', '\udc00', '😀'), maxLength: 200 }),
);

/** Numbers of every kind, with the shapes of times (seconds and milliseconds with a few decimals). */
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.nat({ max: 2 ** 32 }).chain((n) => fc.constantFrom(n, n / 10, n / 1000, n / 1e6, 1795262400 + n / 1e6)),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 0.1 + 0.2, 1e21, 1e-7, 4e9 - 1e-6, 2 ** 53, -1.5),
);

const leaf = fc.oneof(anyString, anyNumber, fc.boolean(), fc.constant(null), fc.constant(undefined), fc.date({ noInvalidDate: false }));

const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 6 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('0', '12', 'toString', 'certificates', '__proto__')), tie('v'), { maxKeys: 6 }),
  ),
})).v;

describe('session serializer', () => {
  it('equals JSON.stringify for arbitrary values, mutable or deeply frozen, twice (cached)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value, { maxKeys: 8 }), fc.boolean(), (o, freeze) => {
        const top: Record<string, unknown> = { ...o, part: freeze ? deepFreeze(structuredClone(o)) : o };
        const expected = JSON.stringify(top);
        expect(sessionJson(asSession(top))).toBe(expected);
        expect(sessionJson(asSession(top))).toBe(expected);
        expect(written(top, '\n')).toBe(`${expected}\n`);
      }),
      { numRuns: 400 },
    );
  });

  it('prints numbers as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.array(anyNumber, { maxLength: 20 }), (a) => {
        expect(sessionJson(asSession({ a }))).toBe(JSON.stringify({ a }));
      }),
      { numRuns: 2000 },
    );
  });

  it('does not cache a frozen object whose contents can still change', () => {
    const inner = { n: 1, s: 'a' };
    const shell = Object.freeze({ inner, list: Object.freeze([1, 2]) });
    const s = { shell };
    expect(sessionJson(asSession(s))).toBe(JSON.stringify(s));
    inner.n = 2;
    inner.s = 'b"';
    expect(sessionJson(asSession(s))).toBe(JSON.stringify(s));
  });

  it('honours toJSON (inherited and own), skipped values and exotic objects', () => {
    const own = { a: 1, toJSON: (k: string) => ({ key: k }) };
    const s = {
      d: new Date(0),
      own,
      list: [own, undefined, () => 1, Symbol('x'), new Date(NaN)],
      f: () => 1,
      u: undefined,
      typed: new Uint8Array([1, 2]),
      boxed: [new Number(3), new String('x'), new Boolean(false)],
      map: new Map([[1, 2]]),
      nullProto: Object.assign(Object.create(null) as object, { x: 1 }),
    };
    expect(sessionJson(asSession(s))).toBe(JSON.stringify(s));
  });

  it('writes the bytes of JSON.stringify for every session of a capture, with the NDJSON newline', async () => {
    const { sessions } = await analyze(join(FIXTURES, 'diagnose.pcapng'));
    expect(sessions.length).toBeGreaterThan(5);
    for (const s of sessions) expect(written(s, '\n')).toBe(`${JSON.stringify(s)}\n`);
    // and again, from the caches
    for (const s of sessions) expect(written(s, '\n')).toBe(`${JSON.stringify(s)}\n`);
  });

  it('writes hellos from a cached tail only while their keys and values are the same', () => {
    const shared = deepFreeze({ list: [1, 2, 3], ext: [{ type: 0, name: 'server_name', value: { names: [{ type: 0, name: 'a' }] } }] });
    const tailValue = fc.oneof(leaf, fc.constantFrom<unknown>(shared.list, shared.ext, Object.freeze([])), value);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('cipher_suites', 'extensions', 'server_name', 'length', 'ja3', 'x'), tailValue), { maxLength: 6 }),
        fc.array(fc.tuple(fc.nat({ max: 5 }), tailValue), { maxLength: 3 }),
        fc.constantFrom('client_hello', 'server_hello', 'hello_retry_request', 'client_hello_retry', 'other'),
        (tail, changes, where) => {
          const hello: Record<string, unknown> = { version: 771, random: 'ab', session_id: '' };
          for (const [k, v] of tail) hello[k] = v;
          const s = { id: '1', [where]: hello };
          // three times: a tail is remembered at the first, its bytes kept at the second, copied from the third
          const check = () => {
            for (let i = 0; i < 3; i++) expect(sessionJson(asSession(s))).toBe(JSON.stringify(s));
          };
          check();
          // the same tail again with another random, then one value at a time changed
          hello.random = 'cd';
          check();
          for (const [i, v] of changes) {
            const k = Object.keys(hello)[3 + (i % Math.max(1, Object.keys(hello).length - 3))];
            if (k !== undefined) hello[k] = v;
            check();
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('writes a hello whose tail changes in place, or loses, reorders or gains keys, as JSON.stringify', () => {
    const list = Object.freeze([1, 2]);
    const mutable = { n: 1 };
    const hello: Record<string, unknown> = { version: 771, random: 'r', session_id: 's', cipher_suites: list, server_name: 'a', length: 5 };
    const s: Record<string, unknown> = { client_hello: hello };
    const check = () => expect(sessionJson(asSession(s))).toBe(JSON.stringify(s));
    check();
    check();
    check();
    hello.server_name = 'b'; // a string in the tail
    check();
    hello.length = 6;
    check();
    delete hello.length; // a key fewer
    check();
    hello.length = 6; // back, last
    check();
    hello.extra = mutable; // a mutable object: never cached
    check();
    mutable.n = 2;
    check();
    s.client_hello = { version: 771, random: 'r', session_id: 's', server_name: 'b', cipher_suites: list, length: 6 }; // reordered
    check();
    s.client_hello = { version: 771, random: 'r', cipher_suites: list }; // no session_id: no tail
    check();
    s.client_hello = Object.freeze({ ...hello, extra: undefined }); // frozen: cached as a whole
    check();
    s.client_hello = { version: 771, session_id: 's', cipher_suites: list, toJSON: () => 'own' };
    check();
    const f = () => 1;
    s.client_hello = { session_id: undefined, cipher_suites: list, f, u: undefined }; // nothing written before the tail
    check();
    s.client_hello = { session_id: 'x', cipher_suites: list, f, u: undefined }; // the same tail after a member
    check();
    s.client_hello = { session_id: undefined, cipher_suites: list, f, u: undefined };
    check();
  });

  it('does not copy a step from bytes written over (an own toJSON met after the steps)', () => {
    const t = '2026-01-01T00:00:00.000000000Z';
    const s = {
      a: { steps: [new Step('client_hello', 'client', t, 1.5, 1)], toJSON: () => 'x'.repeat(200) },
      b: [new Step('server_hello', 'server', t, 1.5, 1)],
    };
    expect(sessionJson(asSession(s))).toBe(JSON.stringify(s));
  });

  it('writes steps of one packet from the previous step\'s members only when all three are equal', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom('client_hello', 'server_hello', 'finished', undefined), fc.constantFrom('client', 'server', undefined), fc.constantFrom('2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:00.000000001Z'), fc.constantFrom(0, 1.5, 20.785, NaN), fc.constantFrom(1, 2)),
          { maxLength: 12 },
        ),
        (specs) => {
          // undefined step and from (left out): the time member then opens the object
          const steps = specs.map(([a, b, c, d, e]) => new Step(a as string, b as 'client' | 'server', c, d, e));
          const s = { steps, other: { steps: [...steps].reverse() } };
          expect(sessionJson(asSession(s))).toBe(JSON.stringify(s));
          // a step changed in place after it was written
          if (steps[0] !== undefined) steps[0].frame = 99;
          expect(sessionJson(asSession(s))).toBe(JSON.stringify(s));
        },
      ),
      { numRuns: 300 },
    );
  });
});
