import { HttpStatus } from '@nestjs/common';
import { BASE_SCOPE, policyHeads, type TenantTx } from '@meridian/db';
import { knownCategories, type BasePolicy } from '@meridian/governance';
import { modelCardSchema, type ModelCard } from '@meridian/models';
import { ProblemException, type FieldError } from '../common/problem';

/**
 * A model card must be well formed and speak only of data categories the tenant's governance
 * knows (built-in ones and the base policy's custom ones): a category no policy covers could never
 * be allowed or denied at the edge. Every problem is reported at once, with its path in the body.
 */
export async function validateModelCard(tx: TenantTx, input: unknown): Promise<ModelCard> {
  const parsed = modelCardSchema.safeParse(input);
  if (!parsed.success) throw invalidCard(parsed.error.issues.map((issue) => ({ path: cardPath(issue.path), message: issue.message })));
  const card = parsed.data;
  const base = (await policyHeads(tx)).get(BASE_SCOPE)?.document as BasePolicy | undefined;
  const known = knownCategories(base);
  const errors: FieldError[] = [];
  card.inputCategories.forEach((category, index) => {
    if (!known.has(category)) errors.push({ path: `card.inputCategories[${index}]`, message: `unknown data category ${category}; known: ${[...known].sort().join(', ')}` });
  });
  if (!known.has(card.outputCategory)) errors.push({ path: 'card.outputCategory', message: `unknown data category ${card.outputCategory}; known: ${[...known].sort().join(', ')}` });
  if (errors.length) throw invalidCard(errors);
  return card;
}

function cardPath(path: readonly PropertyKey[]): string {
  let out = 'card';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

function invalidCard(errors: FieldError[]) {
  return new ProblemException(HttpStatus.BAD_REQUEST, 'invalid-model-card', `the model card has ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was saved`, errors);
}
