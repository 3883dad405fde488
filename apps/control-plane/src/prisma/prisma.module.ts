import { Global, Module } from '@nestjs/common';
import { SystemPrisma, TenantPrisma } from './prisma.service';

@Global()
@Module({ providers: [TenantPrisma, SystemPrisma], exports: [TenantPrisma, SystemPrisma] })
export class PrismaModule {}
