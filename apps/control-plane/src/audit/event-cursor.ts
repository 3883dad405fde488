import { badRequest } from '../common/problem';

/**
 * Keyset position in the tenant's event list, newest first by arrival: (received_at, source_id, seq)
 * is unique per tenant and exists for every event, checkpointed or not, so paging never stalls on
 * events the checkpoint job has not reached yet. Opaque to clients (base64url).
 */
export interface EventCursor {
  receivedAt: Date;
  sourceId: string;
  seq: bigint;
}

/** The list order: newest arrival first, then source and sequence, descending. */
export const EVENT_ORDER = [{ receivedAt: 'desc' }, { sourceId: 'desc' }, { seq: 'desc' }] as const satisfies object[];

/**
 * EVENT_ORDER in JavaScript, to merge pages read per site. Source ids are node UUIDs (lower-case
 * hex and dashes) and "control-plane": for such strings code-unit order is the order of
 * PostgreSQL's C, glibc and ICU collations alike, so a merged page ends where the cursor resumes.
 */
export function newestEventFirst(a: EventCursor, b: EventCursor): number {
  const at = b.receivedAt.getTime() - a.receivedAt.getTime();
  if (at !== 0) return at;
  if (a.sourceId !== b.sourceId) return a.sourceId < b.sourceId ? 1 : -1;
  return a.seq === b.seq ? 0 : a.seq < b.seq ? 1 : -1;
}

export function encodeEventCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify([cursor.receivedAt.toISOString(), cursor.sourceId, cursor.seq.toString()]), 'utf8').toString('base64url');
}

export function decodeEventCursor(value: string): EventCursor {
  const invalid = () => badRequest('cursor is not a cursor this API issued');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [at, sourceId, seq] = parsed as unknown[];
  const receivedAt = typeof at === 'string' ? new Date(at) : new Date(Number.NaN);
  if (Number.isNaN(receivedAt.getTime()) || typeof sourceId !== 'string' || sourceId.length > 100 || typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) throw invalid();
  return { receivedAt, sourceId, seq: BigInt(seq) };
}

/**
 * Events strictly after the cursor in (received_at desc, source_id desc, seq desc) order. The
 * `lte` repeats what the OR implies so that PostgreSQL can start the index scan at the cursor
 * instead of reading every newer event and filtering it out: a deep page costs what the first does.
 */
export function afterEventCursor(cursor: EventCursor) {
  return {
    receivedAt: { lte: cursor.receivedAt },
    OR: [
      { receivedAt: { lt: cursor.receivedAt } },
      { receivedAt: cursor.receivedAt, sourceId: { lt: cursor.sourceId } },
      { receivedAt: cursor.receivedAt, sourceId: cursor.sourceId, seq: { lt: cursor.seq } },
    ],
  };
}
