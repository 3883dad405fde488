import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '@meridian/config';
import { Role } from '@meridian/db';
import { InjectConfig } from '../config/config.module';
import { unauthorized } from '../common/problem';
import type { Principal } from './principal';
import { SessionRevocations } from './session-revocations';

export interface AccessTokenClaims {
  sub: string;
  tid: string;
  role: Role;
  org: string | null;
  typ: 'access';
  /** Session (refresh-token family): logout or a detected token reuse ends it, and its access tokens with it. */
  sid: string;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @InjectConfig() config: AppConfig,
    private readonly sessions: SessionRevocations,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A key object made once: given a string, jsonwebtoken first tries (and fails) to parse it as a
      // PEM public key on every request, which was the costliest step of an authenticated read.
      // passport-jwt's types say string | Buffer; it hands the value to jsonwebtoken untouched.
      secretOrKey: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: 'meridian',
      audience: 'meridian-api',
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Principal> {
    if (claims.typ !== 'access' || !Object.values(Role).includes(claims.role) || typeof claims.sid !== 'string') throw unauthorized('not an access token');
    if (await this.sessions.isEnded(claims.sid)) throw unauthorized('this session has ended; log in again');
    return { kind: 'user', subjectId: claims.sub, userId: claims.sub, tenantId: claims.tid, role: claims.role, integratorOrgId: claims.org, sessionId: claims.sid };
  }
}
