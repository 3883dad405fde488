import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@meridian/config';
import { Role } from '@meridian/db';
import { AppModule } from '../../control-plane/src/app.module';
import { enumerateRoutes, type RouteInfo } from '../../control-plane/test/routes';
import { can } from '../src/auth/roles';

/**
 * The portal offers an action exactly to the roles the control plane allows it: each capability is
 * checked against the @Allow metadata of the route it calls (read from the app's module graph in
 * preview mode: no database, no port).
 */
const CAPABILITY_ROUTES: Partial<Record<keyof typeof can, string | string[]>> = {
  addSites: 'POST /v1/sites',
  editSites: 'PATCH /v1/sites/:id',
  editNodes: 'PATCH /v1/nodes/:id',
  removeSites: 'DELETE /v1/sites/:id',
  removeNodes: 'DELETE /v1/nodes/:id',
  enrollNodes: 'POST /v1/enrollment-tokens',
  revokeNodes: 'POST /v1/nodes/:id/revoke',
  setConsent: 'PUT /v1/sites/:id/consent',
  editPolicy: 'PUT /v1/policies/:scope',
  simulate: 'POST /v1/policies/simulate',
  publishPolicy: 'POST /v1/policies/publish',
  followJobs: 'GET /v1/jobs/:id',
  exportAudit: 'POST /v1/audit/exports',
  verifyAudit: 'POST /v1/audit/verifications',
  requestCheckpoint: 'POST /v1/audit/checkpoints',
  manageRollouts: 'POST /v1/rollouts',
  publishModels: 'POST /v1/models/:id/versions/:version/publish',
  // the People page: people and the integrator organisations they and their sites belong to
  manageUsers: ['POST /v1/users', 'PATCH /v1/users/:id', 'DELETE /v1/users/:id', 'POST /v1/users/:id/password', 'POST /v1/organizations', 'PATCH /v1/organizations/:id', 'DELETE /v1/organizations/:id'],
  manageApiKeys: ['POST /v1/api-keys', 'GET /v1/api-keys', 'DELETE /v1/api-keys/:id'],
};

describe('portal capabilities match the API access rules', () => {
  let app: NestExpressApplication;
  let routes: Map<string, RouteInfo>;

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(loadConfig({})), { preview: true, logger: false, abortOnError: false });
    routes = new Map(enumerateRoutes(app).map((r) => [`${r.method} ${r.path}`, r]));
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each(Object.entries(CAPABILITY_ROUTES).flatMap(([capability, route]) => [route!].flat().map((r) => [capability, r] as const)))('%s is offered to exactly the roles allowed on %s', (capability, route) => {
    const allowed = routes.get(route)?.roles;
    expect(allowed, `${route} not found`).toBeDefined();
    const offered = Object.values(Role).filter((role) => can[capability as keyof typeof can](role));
    expect(offered.sort()).toEqual([...allowed!].sort());
  });
});
