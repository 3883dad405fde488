import { Global, Inject, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
export const InjectConfig = () => Inject(WORKER_CONFIG);

@Global()
@Module({})
export class WorkerConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerConfigModule, providers: [{ provide: WORKER_CONFIG, useValue: config }], exports: [WORKER_CONFIG] };
  }
}
