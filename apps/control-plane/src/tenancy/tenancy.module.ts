import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsService } from './organizations.service';
import { SigningKeysService } from './signing-keys.service';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [AuthModule],
  controllers: [TenantsController, UsersController, OrganizationsController],
  providers: [TenantsService, UsersService, OrganizationsService, SigningKeysService],
  exports: [SigningKeysService],
})
export class TenancyModule {}
