import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '@meridian/config';
import { Role } from '@meridian/db';
import { InjectConfig } from '../config/config.module';
import { unauthorized } from '../common/problem';
import type { Principal } from './principal';

export interface AccessTokenClaims {
  sub: string;
  tid: string;
  role: Role;
  org: string | null;
  typ: 'access';
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@InjectConfig() config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret,
      algorithms: ['HS256'],
      issuer: 'meridian',
      audience: 'meridian-api',
      ignoreExpiration: false,
    });
  }

  validate(claims: AccessTokenClaims): Principal {
    if (claims.typ !== 'access' || !Object.values(Role).includes(claims.role)) throw unauthorized('not an access token');
    return { kind: 'user', subjectId: claims.sub, userId: claims.sub, tenantId: claims.tid, role: claims.role, integratorOrgId: claims.org };
  }
}
