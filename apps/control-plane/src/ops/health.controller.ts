import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import { Public } from '../auth/principal';
import { ProblemException } from '../common/problem';
import { TenantPrisma } from '../prisma/prisma.service';
import { InjectRedis } from '../redis/redis.module';

const CHECK_TIMEOUT_MS = 2_000;

@ApiTags('ops')
@Controller()
export class HealthController {
  constructor(
    private readonly db: TenantPrisma,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  /** Liveness: the process is up and its event loop answers. */
  @Public()
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  /** Readiness: the dependencies every request needs answer, within a bound. */
  @Public()
  @Get('readyz')
  async ready() {
    const [postgres, redis] = await Promise.all([
      check(() => this.db.ping()),
      check(async () => {
        if ((await this.redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
      }),
    ]);
    const checks = { postgres, redis };
    if (postgres !== 'ok' || redis !== 'ok') {
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'not-ready', `postgres: ${postgres}; redis: ${redis}`);
    }
    return { status: 'ok', checks };
  }
}

async function check(probe: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
