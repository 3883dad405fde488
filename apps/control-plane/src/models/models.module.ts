import { Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { APP_CONFIG } from '../config/config.module';
import { ARTIFACT_STORE, FilesystemArtifactStore, InjectArtifactStore, type ArtifactStore } from './artifact-store';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';

/** Uploads still unfinished after this long were cut off by a crash (a live one writes continuously). */
const ABANDONED_UPLOAD_MS = 6 * 3600 * 1000;

@Module({
  controllers: [ModelsController],
  providers: [ModelsService, { provide: ARTIFACT_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new FilesystemArtifactStore(config.artifacts.dir) }],
  exports: [ARTIFACT_STORE],
})
export class ModelsModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(ModelsModule.name);

  constructor(@InjectArtifactStore() private readonly store: ArtifactStore) {}

  onApplicationBootstrap(): void {
    // Not awaited: a slow or unavailable store must not hold up the start.
    this.store.removeAbandonedUploads(ABANDONED_UPLOAD_MS).then(
      (removed) => removed && this.logger.log({ removed }, 'removed abandoned artifact uploads'),
      (error: unknown) => this.logger.warn({ err: error }, 'could not sweep abandoned artifact uploads'),
    );
  }
}
