import { Module } from '@nestjs/common';
import type { AppConfig } from '@meridian/config';
import { APP_CONFIG } from '../config/config.module';
import { ARTIFACT_STORE, FilesystemArtifactStore } from './artifact-store';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';

@Module({
  controllers: [ModelsController],
  providers: [ModelsService, { provide: ARTIFACT_STORE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new FilesystemArtifactStore(config.artifacts.dir) }],
  exports: [ARTIFACT_STORE],
})
export class ModelsModule {}
