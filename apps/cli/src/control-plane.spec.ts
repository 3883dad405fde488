import { describe, expect, it } from 'vitest';
import { describeRefusal } from './control-plane';

describe('describeRefusal', () => {
  it("says the control plane's reason, each refused field on its own line, and what to check for 401 and 403", () => {
    const problem = JSON.stringify({ status: 400, title: 'Bad Request', detail: '1 invalid field', errors: [{ path: 'card.task', message: 'Required' }] });
    expect(describeRefusal('PUT', '/v1/models/m/versions/1.0.0', 400, problem)).toBe('PUT /v1/models/m/versions/1.0.0 answered 400: 1 invalid field\n  card.task: Required');
    expect(describeRefusal('GET', '/v1/models', 401, JSON.stringify({ title: 'Unauthorized' }))).toBe('GET /v1/models answered 401: Unauthorized (is MERIDIAN_API_KEY a valid, unrevoked key?)');
    expect(describeRefusal('POST', '/v1/models', 403, '{"detail":"role auditor may not do this"}')).toMatch(/answered 403: role auditor may not do this \(the key acts in a role/);
    expect(describeRefusal('GET', '/v1/models', 502, '<html>Bad gateway</html>')).toBe('GET /v1/models answered 502: <html>Bad gateway</html>');
    expect(describeRefusal('GET', '/v1/models', 503, '')).toBe('GET /v1/models answered 503: no reason given');
  });
});
