import { describe, expect, it } from 'vitest';
import { withoutLinkToken } from './request-log';

describe('withoutLinkToken', () => {
  it('redacts the token in the URL and in the parsed query, and nothing else', () => {
    const logged = withoutLinkToken({ id: 'r1', method: 'GET', url: '/v1/audit/exports/e1/file?a=1&token=abc.def&b=2', query: { a: '1', token: 'abc.def', b: '2' } });
    expect(logged).toEqual({ id: 'r1', method: 'GET', url: '/v1/audit/exports/e1/file?a=1&token=[Redacted]&b=2', query: { a: '1', token: '[Redacted]', b: '2' } });
    expect(JSON.stringify(logged)).not.toContain('abc.def');
  });

  it('leaves requests without a token as they are', () => {
    const request = { url: '/v1/sites?limit=5', query: { limit: '5' } };
    expect(withoutLinkToken(request)).toBe(request);
  });
});
