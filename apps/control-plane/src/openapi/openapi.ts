import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Every error body (RFC 9457), declared once so generated clients get a typed `error`. */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'number' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'Stable machine-readable reason, e.g. validation, invalid-policy, forbidden' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Field-level problems; path names the offending input, e.g. document.categories.x.retentionDays',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

/** The OpenAPI document of the running routes. Pure: reads controller metadata, needs no connections. */
export function buildOpenApi(app: INestApplication, publicUrl: string): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('Meridian control plane')
    .setDescription('Tenants, fleets, governance and audit for industrial edge AI. Errors are RFC 9457 problem+json.')
    .setVersion('1')
    .addServer(publicUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or API key (mk_...)' })
    .build();
  const document = SwaggerModule.createDocument(app, options, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  return withProblemResponses(document);
}

function withProblemResponses(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA as never } };
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch]) {
      if (!operation || operation.responses.default) continue;
      operation.responses.default = {
        description: 'Problem details (RFC 9457)',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
  }
  return document;
}
