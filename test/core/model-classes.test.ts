import { describe, expect, it } from 'vitest';
import { DirectionCounts, Step } from '../../src/core/model.js';
import { sessionJson } from '../../src/export/json.js';

describe('sealed model classes', () => {
  const samples = [
    { cls: Step, obj: new Step('client_hello', 'client', '2026-01-01T00:00:00.000000000Z', 0.125, 7) },
    { cls: DirectionCounts, obj: new DirectionCounts() },
  ];
  for (const { cls, obj } of samples) {
    it(`${cls.name}: KEYS are its own keys, in order, and it cannot grow or shrink`, () => {
      expect(Object.keys(obj)).toEqual([...cls.KEYS]);
      expect(Object.isSealed(obj)).toBe(true);
      expect(() => {
        (obj as unknown as Record<string, unknown>).extra = 1;
      }).toThrow(TypeError);
      expect(() => {
        delete (obj as unknown as Record<string, unknown>)[cls.KEYS[0]];
      }).toThrow(TypeError);
    });
  }

  it('the export writes them as JSON.stringify does, including values it leaves out or changes', () => {
    const c = new DirectionCounts();
    c.records = 3;
    c.bytes = 1.5;
    c.alerts = NaN; // JSON: null
    const weird = new Step('a"\u0001', 'server', 'é', -0, Infinity);
    (weird as unknown as Record<string, unknown>).step = undefined; // left out by JSON.stringify
    const s = { steps: [new Step('x', 'client', 't', 1, 2), weird], counts: { client: c, server: new DirectionCounts() } };
    expect(sessionJson(s as never)).toBe(JSON.stringify(s));
  });
});
