import { describe, expect, it } from 'vitest';
import { parsePushArguments, sameJson } from './models-push';

describe('meridian models push', () => {
  it('compares cards as JSON values, whatever the order of their keys', () => {
    expect(sameJson({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson(undefined, {})).toBe(false);
  });

  it('reads its options, the URL without a trailing slash, and the key only from the environment', () => {
    const argv = ['--model', 'm', '--version', '1.0.0', '--card', 'c.json', '--artifact', 'a.onnx', '--publish'];
    expect(parsePushArguments(argv, { MERIDIAN_URL: 'https://cp.example/', MERIDIAN_API_KEY: 'mk_x' })).toEqual({ model: 'm', version: '1.0.0', card: 'c.json', artifact: 'a.onnx', description: undefined, publish: true, url: 'https://cp.example', apiKey: 'mk_x' });
    expect(parsePushArguments([...argv, '--url', 'ftp://x'], { MERIDIAN_API_KEY: 'mk_x' })).toEqual({ error: '--url / MERIDIAN_URL must be an http(s) URL, got "ftp://x"' });
    expect(parsePushArguments(['--model'], {})).toEqual({ error: '--model needs a value' });
    expect(parsePushArguments(['--help'], {})).toBe('help');
  });
});
