import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';

/**
 * A name people read (a site, a node, an organisation, a person, a tenant, an API key): spaces
 * around it are dropped before it is checked, so "  " is refused rather than stored as a blank
 * name that no list or confirmation could show.
 */
export function IsDisplayName(max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    Length(1, max, { message: ({ property }) => `${property} must have 1 to ${max} characters besides spaces` }),
  );
}
