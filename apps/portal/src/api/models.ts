import { api, call } from './client';
import type { CreateRollout, StateCounts } from './types';

export const listModels = () => call(api.GET('/v1/models'));
export const getModel = (id: string) => call(api.GET('/v1/models/{id}', { params: { path: { id } } }));
export const listRollouts = () => call(api.GET('/v1/rollouts'));
export const getRollout = (id: string) => call(api.GET('/v1/rollouts/{id}', { params: { path: { id } } }));
export const startRollout = (body: CreateRollout) => call(api.POST('/v1/rollouts', { body }));
export const pauseRollout = (id: string) => call(api.POST('/v1/rollouts/{id}/pause', { params: { path: { id } } }));
export const resumeRollout = (id: string) => call(api.POST('/v1/rollouts/{id}/resume', { params: { path: { id } } }));
export const abortRollout = (id: string, rollback: boolean, reason?: string) =>
  call(api.POST('/v1/rollouts/{id}/abort', { params: { path: { id } }, body: { rollback, ...(reason ? { reason } : {}) } }));
export const rollbackRollout = (id: string, reason?: string) => call(api.POST('/v1/rollouts/{id}/rollback', { params: { path: { id } }, body: reason ? { reason } : {} }));

/** Node states of a rollout in the order a node goes through them. */
export const ROLLOUT_STATES: (keyof StateCounts)[] = ['pending', 'downloading', 'verifying', 'activating', 'active', 'failed', 'rolled_back'];

export const isLive = (status: string) => status === 'running' || status === 'paused';

/** The fields of a model card people read first; the card is free-form JSON beyond the registry's schema. */
export interface CardSummary {
  task?: string;
  intendedUse?: string;
  inputCategories?: string[];
  outputCategory?: string;
  exportClassification?: string;
  trainingData?: string;
  evaluation?: Record<string, unknown>;
  io: { direction: 'input' | 'output'; name: string; type: string; shape: string }[];
}

export function summarizeCard(card: unknown): CardSummary {
  const c = (card ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const tensors = (value: unknown, direction: 'input' | 'output') =>
    (Array.isArray(value) ? value : []).map((t: { name?: unknown; type?: unknown; shape?: unknown }) => ({
      direction,
      name: String(t?.name ?? '?'),
      type: String(t?.type ?? '?'),
      shape: Array.isArray(t?.shape) ? `[${t.shape.join(', ')}]` : '?',
    }));
  return {
    task: text(c.task),
    intendedUse: text(c.intendedUse),
    inputCategories: Array.isArray(c.inputCategories) ? c.inputCategories.map(String) : undefined,
    outputCategory: text(c.outputCategory),
    exportClassification: text(c.exportClassification),
    trainingData: text((c.trainingData as { summary?: unknown } | undefined)?.summary),
    evaluation: typeof c.evaluation === 'object' && c.evaluation !== null ? (c.evaluation as Record<string, unknown>) : undefined,
    io: [...tensors(c.inputs, 'input'), ...tensors(c.outputs, 'output')],
  };
}

export const rolloutNodes = (id: string) => call(api.GET('/v1/rollouts/{id}/nodes', { params: { path: { id }, query: { limit: 100 } } }));
