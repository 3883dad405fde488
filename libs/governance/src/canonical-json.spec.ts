import { describe, expect, it } from 'vitest';
import { canonicalJson } from './bundle';

/** The definition canonicalJson must match byte for byte: hashes and signatures in the field depend on it. */
function definition(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .filter((key) => (v as Record<string, unknown>)[key] !== undefined)
          .map((key) => [key, sortKeys((v as Record<string, unknown>)[key])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

/** Deterministic pseudo-random values (mulberry32), so a failure names the seed that reproduces it. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const keys = ['a', 'b', 'Z', 'z', '_', 'é', '日本', '\u0000', '"q"', '0', '1', '2', '10', '01', '-1', '1.5', '4294967294', '4294967295', 'toString', 'toJSON', ''];
  const leaves: unknown[] = [0, -0, 1, -1.5, 1e21, 1e-7, NaN, Infinity, true, false, null, undefined, '', 'x', 'é\u2028\ud800', '"\\\n', () => 1, Symbol('s'), new Date(0), Buffer.from('ab'), new Map([[1, 2]])];
  const value = (depth: number): unknown => {
    const roll = next();
    if (depth > 4 || roll < 0.4) return pick(leaves);
    if (roll < 0.6) return Array.from({ length: Math.floor(next() * 5) }, () => value(depth + 1));
    // objects built in sorted order half the time, so the already-canonical path is exercised too
    const object: Record<string, unknown> = roll < 0.8 ? {} : Object.create(null);
    const chosen = Array.from({ length: Math.floor(next() * 6) }, () => pick(keys));
    for (const key of next() < 0.5 ? chosen.sort() : chosen) object[key] = value(depth + 1);
    return object;
  };
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":1}]},"b":1}');
  });

  it('writes what its definition writes, for 30,000 generated values', () => {
    for (let seed = 1; seed <= 30_000; seed += 1) {
      const value = generator(seed)(0);
      const expected = definition(value);
      const got = canonicalJson(value);
      if (got !== expected) expect({ seed, got }).toEqual({ seed, got: expected });
    }
  });

  it('writes what its definition writes for tensors, dates, buffers and objects with their own toJSON', () => {
    // toJSON is called on the copy the definition makes, not on the value given
    const ownToJson = { toJSON(): boolean { return this === ownToJson; }, z: 1 };
    const samples: unknown[] = [
      { image: [[Array.from({ length: 8 }, (_, i) => i / 8)]] },
      { at: new Date(5), nested: { toJSON: () => ({ b: 1, a: 2 }) } },
      ownToJson,
      [Buffer.from('hi'), new Uint8Array([3, 1, 2])],
      { 10: 'ten', 2: 'two', a: 0, '01': 'x' },
    ];
    for (const value of samples) expect(canonicalJson(value)).toBe(definition(value));
  });

  it('leaves the value it is given unchanged', () => {
    const value = { b: [2, { d: 1, c: undefined }], a: 1 };
    canonicalJson(value);
    expect(Object.keys(value)).toEqual(['b', 'a']);
    expect(Object.keys(value.b[1] as object)).toEqual(['d', 'c']);
  });
});
