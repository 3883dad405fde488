import { Role } from '@meridian/db';
import type { ModelCard } from '@meridian/models';
import { call, type Harness } from './harness';

/** A valid model card for tests (the shape the registry checks with modelCardSchema). */
export function testCard(overrides: Partial<ModelCard> = {}): ModelCard {
  return {
    task: 'predictive_maintenance',
    intendedUse: 'Score vibration windows of cooling pumps',
    inputCategories: ['equipment_telemetry'],
    outputCategory: 'model_outputs',
    inputs: [{ name: 'features', type: 'float32', shape: [-1, 4] }],
    outputs: [{ name: 'anomaly_score', type: 'float32', shape: [-1, 1] }],
    trainingData: { summary: 'synthetic' },
    evaluation: { auc: 0.9 },
    exportClassification: 'EAR99',
    ...overrides,
  };
}

/** PUTs a raw body (Buffer or a stream of chunks) as a version's artifact. */
export async function uploadArtifact(
  baseUrl: string,
  token: string,
  modelId: string,
  version: string,
  body: Buffer | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}/v1/models/${modelId}/versions/${version}/artifact`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', ...headers },
    body,
    ...(body instanceof Buffer ? {} : { duplex: 'half' }),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Creates (or reuses) a model and publishes `version` with `artifact`; returns the model id. */
export async function publishVersion(h: Harness, name: string, version: string, artifact: Buffer, card: ModelCard = testCard()): Promise<string> {
  const token = await h.token('a', Role.vendor_engineer);
  const listed = await call(h, 'GET', '/v1/models', { token });
  let modelId = (listed.body.items as { id: string; name: string }[]).find((m) => m.name === name)?.id;
  if (!modelId) {
    const created = await call(h, 'POST', '/v1/models', { token, body: { name } });
    if (created.status !== 201) throw new Error(`create model: ${created.status} ${JSON.stringify(created.body)}`);
    modelId = created.body.id as string;
  }
  const saved = await call(h, 'PUT', `/v1/models/${modelId}/versions/${version}`, { token, body: { card } });
  if (saved.status !== 200) throw new Error(`save version: ${saved.status} ${JSON.stringify(saved.body)}`);
  const uploaded = await uploadArtifact(h.baseUrl, token, modelId, version, artifact);
  if (uploaded.status !== 200) throw new Error(`upload: ${uploaded.status} ${JSON.stringify(uploaded.body)}`);
  const published = await call(h, 'POST', `/v1/models/${modelId}/versions/${version}/publish`, { token });
  if (published.status !== 200) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  return modelId;
}
