import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bullmq';
import { JwtService } from '@nestjs/jwt';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import { Role } from '@meridian/db';
import { QUEUES } from '@meridian/jobs';
import { problemType, titleFor } from '../common/problem';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board for operators at /admin/queues: every queue, its jobs, retries and failures. Platform
 * admins only (an access token of a platform admin in the Authorization header); it sees every tenant's jobs.
 */
export function mountQueueDashboard(app: NestExpressApplication): void {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_DASHBOARD_PATH);
  const queues = Object.values(QUEUES).map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: adapter });
  const jwt = app.get(JwtService, { strict: false });
  const deny = (response: Response, status: number, detail: string) =>
    response.status(status).type('application/problem+json').json({ type: problemType(status === 401 ? 'unauthorized' : 'forbidden'), title: titleFor(status), status, detail });
  const platformAdminOnly = async (request: Request, response: Response, next: NextFunction) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) return deny(response, 401, 'the queue dashboard needs a platform admin access token');
    try {
      const claims = await jwt.verifyAsync<{ role?: string; typ?: string }>(header.slice(7), { issuer: 'meridian', audience: 'meridian-api' });
      if (claims.typ !== 'access' || claims.role !== Role.platform_admin) return deny(response, 403, 'platform admins only');
      next();
    } catch {
      deny(response, 401, 'missing, invalid or expired credentials');
    }
  };
  app.use(QUEUE_DASHBOARD_PATH, platformAdminOnly, adapter.getRouter());
}
