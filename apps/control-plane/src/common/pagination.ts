import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { badRequest } from './problem';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface CursorPosition {
  createdAt: Date;
  id: string;
}

/**
 * Keyset pagination, newest first, over (created_at, id): stable under inserts and deletes, and as
 * fast on page 1,000 as on page 1 (the cursor is a position, not an offset).
 */
export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (!cursor) return undefined;
  try {
    const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    const createdAt = new Date(time ?? '');
    if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw badRequest('invalid cursor', [{ path: 'cursor', message: 'cursor is not a cursor this API issued' }]);
  }
}

export function encodeCursor(row: CursorPosition): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`, 'utf8').toString('base64url');
}

/** Prisma `where` and `orderBy` fragments for a keyset page. */
export function keyset(query: PageQuery) {
  const take = query.limit ?? 50;
  const position = decodeCursor(query.cursor);
  // The `lte` repeats what the OR implies, so that the (tenant_id, created_at, id) index scan starts
  // at the cursor rather than filtering every newer row out.
  const where = position
    ? { createdAt: { lte: position.createdAt }, OR: [{ createdAt: { lt: position.createdAt } }, { createdAt: position.createdAt, id: { lt: position.id } }] }
    : {};
  return { where, orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }], take: take + 1, pageSize: take };
}

export function toPage<T extends CursorPosition, R>(rows: T[], pageSize: number, map: (row: T) => R): Page<R> {
  const hasMore = rows.length > pageSize;
  const items = rows.slice(0, pageSize);
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: hasMore && last ? encodeCursor(last) : null };
}
