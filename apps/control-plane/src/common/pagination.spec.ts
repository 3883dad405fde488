import { describe, expect, it } from 'vitest';
import { ProblemException } from './problem';
import { decodeCursor, encodeCursor, keyset, toPage } from './pagination';

describe('keyset pagination', () => {
  const row = (n: number) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, createdAt: new Date(1_700_000_000_000 - n * 1000) });

  it('round-trips a cursor', () => {
    const cursor = encodeCursor(row(1));
    expect(decodeCursor(cursor)).toEqual(row(1));
  });

  it('refuses a cursor it did not issue', () => {
    try {
      decodeCursor('bm90LWEtY3Vyc29y'); // base64url("not-a-cursor")
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemException);
      expect((error as ProblemException).getStatus()).toBe(400);
      expect((error as ProblemException).getResponse()).toMatchObject({ errors: [{ path: 'cursor' }] });
    }
  });

  it('asks for one extra row to know whether there is a next page', () => {
    const { take, pageSize, where } = keyset({ limit: 2 });
    expect(take).toBe(3);
    expect(where).toEqual({});
    const page = toPage([row(1), row(2), row(3)].slice(0, take), pageSize, (r) => r.id);
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBe(encodeCursor(row(2)));
    expect(toPage([row(1)], pageSize, (r) => r.id).nextCursor).toBeNull();
  });

  it('continues strictly after the cursor position', () => {
    const { where } = keyset({ cursor: encodeCursor(row(2)) });
    expect(where).toEqual({
      createdAt: { lte: row(2).createdAt },
      OR: [{ createdAt: { lt: row(2).createdAt } }, { createdAt: row(2).createdAt, id: { lt: row(2).id } }],
    });
  });
});
