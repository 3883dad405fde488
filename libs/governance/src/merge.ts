import { knownCategories, PROVENANCE_LEVELS, type Action, type BasePolicy, type CategoryRule, type CountryOverlay, type PolicyIssue, type Provenance } from './document';

/**
 * Merge precedence, lowest to highest:
 *   1. safe defaults (data stays on the site, nothing leaves, metadata provenance, 30 days);
 *   2. the tenant's base policy;
 *   3. the overlay of the site's country — each field it sets replaces the base's field whole;
 *   4. the site's consent flags, checked at decision time (they can only narrow: a missing flag denies).
 * Every effective field remembers the layer that set it, so a decision can say which layer decided.
 */
export type Layer = 'default' | 'base' | `overlay:${string}`;

export interface Sourced<T> {
  value: T;
  layer: Layer;
}

export interface EffectiveCategory {
  residency: Sourced<string[]>;
  egress: Sourced<string[]>;
  consent: Sourced<{ required: string[]; appliesTo: Action[] }>;
  provenance: Sourced<Provenance>;
  retentionDays: Sourced<number>;
  redaction: Sourced<{ drop: string[]; hash: string[] }>;
}

export interface EffectivePolicy {
  country: string;
  categories: Record<string, EffectiveCategory>;
}

export interface MergeFinding extends PolicyIssue {
  severity: 'error' | 'warning';
}

const DEFAULTS: { [K in keyof EffectiveCategory]: EffectiveCategory[K]['value'] } = {
  residency: ['site'],
  egress: [],
  consent: { required: [], appliesTo: ['egress'] },
  provenance: 'metadata',
  retentionDays: 30,
  redaction: { drop: [], hash: [] },
};

function fromRule(rule: CategoryRule): Partial<{ [K in keyof EffectiveCategory]: EffectiveCategory[K]['value'] }> {
  const out: Partial<{ [K in keyof EffectiveCategory]: EffectiveCategory[K]['value'] }> = {};
  if (rule.residency) out.residency = [...new Set(rule.residency)].sort();
  if (rule.egress) out.egress = [...new Set(rule.egress.allow)].sort();
  if (rule.consent) out.consent = { required: [...new Set(rule.consent.required)].sort(), appliesTo: [...new Set(rule.consent.appliesTo ?? ['egress'])].sort() as Action[] };
  if (rule.provenance) out.provenance = rule.provenance;
  if (rule.retentionDays !== undefined) out.retentionDays = rule.retentionDays;
  if (rule.redaction) out.redaction = { drop: [...new Set(rule.redaction.drop ?? [])].sort(), hash: [...new Set(rule.redaction.hash ?? [])].sort() };
  return out;
}

function layerOver(target: EffectiveCategory, values: ReturnType<typeof fromRule>, layer: Layer): void {
  for (const key of Object.keys(values) as (keyof EffectiveCategory)[]) {
    (target[key] as Sourced<unknown>) = { value: values[key], layer };
  }
}

function defaults(): EffectiveCategory {
  const out = {} as EffectiveCategory;
  for (const key of Object.keys(DEFAULTS) as (keyof EffectiveCategory)[]) {
    (out[key] as Sourced<unknown>) = { value: structuredClone(DEFAULTS[key]), layer: 'default' };
  }
  return out;
}

/** The effective policy for a site in `country`, plus what is wrong or worth a second look in the layers. */
export function mergePolicies(base: BasePolicy | undefined, overlay: CountryOverlay | undefined, country: string): { policy: EffectivePolicy; findings: MergeFinding[] } {
  const findings: MergeFinding[] = [];
  const known = knownCategories(base);
  const categories: Record<string, EffectiveCategory> = {};
  for (const name of known) categories[name] = defaults();

  for (const [name, rule] of Object.entries(base?.categories ?? {})) {
    if (!known.has(name)) {
      findings.push({ severity: 'error', path: `categories.${name}`, message: `unknown data category "${name}"; declare it in customCategories` });
      continue;
    }
    layerOver(categories[name]!, fromRule(rule), 'base');
  }
  if (overlay) {
    if (overlay.country !== country) findings.push({ severity: 'error', path: 'country', message: `overlay is for ${overlay.country}, not ${country}` });
    const layer: Layer = `overlay:${overlay.country}`;
    for (const [name, rule] of Object.entries(overlay.categories)) {
      if (!known.has(name)) {
        findings.push({ severity: 'error', path: `categories.${name}`, message: `unknown data category "${name}"; the base policy does not declare it` });
        continue;
      }
      const before = categories[name]!;
      const values = fromRule(rule);
      findings.push(...looseningOf(name, before, values));
      layerOver(categories[name]!, values, layer);
    }
  }
  return { policy: { country, categories }, findings };
}

/** An overlay may tighten a base freely; where it loosens one, say so (a reviewer should see it before publishing). */
function looseningOf(name: string, before: EffectiveCategory, after: ReturnType<typeof fromRule>): MergeFinding[] {
  const out: MergeFinding[] = [];
  const warn = (field: string, message: string) => out.push({ severity: 'warning', path: `categories.${name}.${field}`, message });
  const added = (a: string[], b: string[]) => b.filter((x) => !a.includes(x));
  if (after.residency) {
    const extra = added(before.residency.value, after.residency);
    if (extra.length) warn('residency', `loosens ${before.residency.layer}: also allows ${extra.join(', ')}`);
  }
  if (after.egress) {
    const extra = added(before.egress.value, after.egress);
    if (extra.length) warn('egress.allow', `loosens ${before.egress.layer}: also allows egress to ${extra.join(', ')}`);
  }
  if (after.consent) {
    const dropped = added(after.consent.required, before.consent.value.required);
    if (dropped.length) warn('consent.required', `loosens ${before.consent.layer}: no longer requires ${dropped.join(', ')}`);
  }
  if (after.provenance && PROVENANCE_LEVELS.indexOf(after.provenance) < PROVENANCE_LEVELS.indexOf(before.provenance.value)) {
    warn('provenance', `loosens ${before.provenance.layer}: ${before.provenance.value} -> ${after.provenance}`);
  }
  if (after.retentionDays !== undefined && after.retentionDays > before.retentionDays.value) {
    warn('retentionDays', `loosens ${before.retentionDays.layer}: keeps data ${after.retentionDays} days instead of ${before.retentionDays.value}`);
  }
  if (after.redaction) {
    const dropped = [...added(after.redaction.drop, before.redaction.value.drop), ...added(after.redaction.hash, before.redaction.value.hash)];
    if (dropped.length) warn('redaction', `loosens ${before.redaction.layer}: no longer redacts ${dropped.join(', ')}`);
  }
  return out;
}
