import { SetMetadata } from '@nestjs/common';

export const TENANT_RESOURCE = 'meridian:tenant-resource';

/**
 * Names the tenant-owned resource a controller's `:id` routes address. The isolation test reads it
 * to build a resource of tenant A for every such route and try it with tenant B's credentials;
 * a controller with `:id` routes and no declaration fails that test.
 */
export const TenantResource = (resource: string) => SetMetadata(TENANT_RESOURCE, resource);
