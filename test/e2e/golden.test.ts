/**
 * One golden `export` snapshot per fixture capture (timestamps included: the
 * generator's clock is deterministic), every export validated against
 * schema/session.schema.json. After regenerating fixtures (`npm run fixtures`)
 * refresh with `npx vitest run test/e2e/golden.test.ts -u` and review the diff.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { analyze } from '../../src/analyze.js';
import { FIXTURES, HAVE_SHARED, ROOT, SHARED, fixtureFiles } from './helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'session.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
/** "now" is pinned so findings judged against the present do not drift. */
const NOW = new Date('2026-11-24T00:00:00Z');

function check(sessions: unknown[]): void {
  for (const s of sessions) {
    const ok = validate(s);
    expect(ok, JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  }
}

describe('golden exports of the fixtures', () => {
  for (const f of fixtureFiles()) {
    it(f, async () => {
      const r = await analyze(join(FIXTURES, f), { now: NOW });
      check(r.sessions);
      await expect(JSON.stringify(r.sessions, null, 1) + '\n').toMatchFileSnapshot(join('__golden__', `${f}.json`));
    });
  }
});

describe.skipIf(!HAVE_SHARED)('every export of the real captures validates against the schema', () => {
  for (const set of ['zeek', 'ja4']) {
    it(set, async () => {
      const { readdirSync } = await import('node:fs');
      for (const f of readdirSync(join(SHARED, set))) {
        const r = await analyze(join(SHARED, set, f), { now: NOW });
        check(r.sessions);
      }
    }, 120_000);
  }
});
