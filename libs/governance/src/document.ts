import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Policy documents as people write them: a tenant's base policy and one overlay per country.
 * JSON or YAML; validation errors name the path ("categories.inspection_images.egress.allow[1]").
 */
export const BUILTIN_CATEGORIES = ['equipment_telemetry', 'process_parameters', 'inspection_images', 'operator_identity', 'model_outputs'] as const;
export const ACTIONS = ['infer', 'store', 'egress'] as const;
export type Action = (typeof ACTIONS)[number];
export const PROVENANCE_LEVELS = ['none', 'metadata', 'content_hash'] as const;
export type Provenance = (typeof PROVENANCE_LEVELS)[number];

/** Data categories and consent flags: lower_snake_case, 2–63 characters. */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{1,62}$/;
const NAME = NAME_PATTERN;
/** Where data may be stored or processed: the site itself, the site's country, or a named region. */
const LOCATION = /^(site|country|region:[a-z0-9-]{2,40})$/;
/** Who may receive data: the control plane, a vendor cloud region, a named third party ("*" = any region / party). */
const DESTINATION = /^(control_plane|vendor_cloud:([a-z0-9-]{2,40}|\*)|third_party:([a-z0-9-]{2,60}|\*))$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_.-]{0,100}$/;

export const categoryRuleSchema = z
  .object({
    residency: z.array(z.string().regex(LOCATION, 'must be "site", "country" or "region:<name>"')).max(20).optional(),
    egress: z.object({ allow: z.array(z.string().regex(DESTINATION, 'must be control_plane, vendor_cloud:<region> or third_party:<name>')).max(50) }).strict().optional(),
    consent: z
      .object({
        required: z.array(z.string().regex(NAME, 'consent flags are lower_snake_case')).max(20),
        appliesTo: z.array(z.enum(ACTIONS)).min(1).optional(),
      })
      .strict()
      .optional(),
    provenance: z.enum(PROVENANCE_LEVELS).optional(),
    retentionDays: z.number().int().min(0).max(3650).optional(),
    redaction: z
      .object({ drop: z.array(z.string().regex(FIELD)).max(100).optional(), hash: z.array(z.string().regex(FIELD)).max(100).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type CategoryRule = z.infer<typeof categoryRuleSchema>;

const categories = z.record(z.string().regex(NAME, 'category names are lower_snake_case'), categoryRuleSchema);

export const basePolicySchema = z
  .object({
    apiVersion: z.literal('meridian.dev/v1'),
    kind: z.literal('BasePolicy'),
    description: z.string().max(2000).optional(),
    customCategories: z.array(z.object({ name: z.string().regex(NAME), description: z.string().max(500).optional() }).strict()).max(50).optional(),
    categories,
  })
  .strict();

export const countryOverlaySchema = z
  .object({
    apiVersion: z.literal('meridian.dev/v1'),
    kind: z.literal('CountryOverlay'),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
    description: z.string().max(2000).optional(),
    categories,
  })
  .strict();

export type BasePolicy = z.infer<typeof basePolicySchema>;
export type CountryOverlay = z.infer<typeof countryOverlaySchema>;
export type PolicyDocument = BasePolicy | CountryOverlay;

export interface PolicyIssue {
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; document: T } | { ok: false; errors: PolicyIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}

/** Text (JSON or YAML) or an already parsed value to a validated document of the expected kind. */
export function parsePolicyDocument(input: unknown, expected: 'BasePolicy' | 'CountryOverlay'): ParseResult<PolicyDocument> {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = parseYaml(input, { prettyErrors: true, maxAliasCount: 50 }); // YAML is a superset of JSON
    } catch (error) {
      return { ok: false, errors: [{ path: '', message: `not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}` }] };
    }
  }
  const schema = expected === 'BasePolicy' ? basePolicySchema : countryOverlaySchema;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })) };
  }
  return { ok: true, document: parsed.data };
}

/** Categories a tenant's policies may speak of: the built-in ones plus the base policy's custom ones. */
export function knownCategories(base: BasePolicy | undefined): Set<string> {
  return new Set([...BUILTIN_CATEGORIES, ...(base?.customCategories ?? []).map((c) => c.name)]);
}
