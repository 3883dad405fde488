import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Role } from '@meridian/db';
import { forbidden, unauthorized } from '../common/problem';
import { ALLOWED_ROLES, IS_PUBLIC, type Principal } from './principal';

/**
 * The one global guard. Deny by default: a route is reachable only if it is marked @Public() or
 * names the caller's role in @Allow(...). Authentication is a bearer access token (JWT) or an API key.
 */
@Injectable()
export class AccessGuard extends AuthGuard(['jwt', 'api-key']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    await super.canActivate(context);
    const principal = context.switchToHttp().getRequest<{ user: Principal }>().user;
    if (!allowed || allowed.length === 0) throw forbidden('this route has no access rule, so nobody may call it');
    if (!allowed.includes(principal.role)) throw forbidden(`role ${principal.role} may not do this`);
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    if (!user) throw unauthorized('missing, invalid or expired credentials');
    return user;
  }
}
