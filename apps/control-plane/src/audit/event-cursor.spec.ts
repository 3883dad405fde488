import { describe, expect, it } from 'vitest';
import { decodeEventCursor, encodeEventCursor } from './event-cursor';

describe('event cursor', () => {
  it('round-trips a position', () => {
    const cursor = { receivedAt: new Date('2026-11-25T10:00:00.123Z'), sourceId: 'control-plane', seq: 12345678901234n };
    expect(decodeEventCursor(encodeEventCursor(cursor))).toEqual(cursor);
  });
  it('refuses anything it did not issue with a 400', () => {
    for (const bad of ['123', 'not base64 !', Buffer.from('["x","a","1"]').toString('base64url'), Buffer.from('["2026-11-25T10:00:00Z","a","-1"]').toString('base64url')]) {
      expect(() => decodeEventCursor(bad)).toThrow(expect.objectContaining({ status: 400 }));
    }
  });
});
