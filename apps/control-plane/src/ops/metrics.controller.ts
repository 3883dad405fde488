import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '@meridian/config';
import { constantTimeEqual } from '@meridian/crypto';
import { Public } from '../auth/principal';
import { unauthorized } from '../common/problem';
import { InjectConfig } from '../config/config.module';
import { MetricsService } from './metrics.service';

@ApiTags('ops')
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Scraped by Prometheus; when METRICS_TOKEN is set, only with `Authorization: Bearer <token>`. */
  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(@Headers('authorization') authorization?: string): Promise<string> {
    const token = this.config.metrics.token;
    if (token && !constantTimeEqual(authorization ?? '', `Bearer ${token}`)) throw unauthorized('metrics need the scrape token');
    return this.metrics.registry.metrics();
  }
}
