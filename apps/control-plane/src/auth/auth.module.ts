import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import type { AppConfig } from '@meridian/config';
import { APP_CONFIG } from '../config/config.module';
import { AccessGuard } from './access.guard';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { LoginThrottle } from './login-throttle';
import { PersonSessions } from './person-sessions';
import { SessionRevocations } from './session-revocations';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: config.auth.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, ApiKeysController],
  providers: [AuthService, ApiKeysService, SessionRevocations, PersonSessions, LoginThrottle, JwtStrategy, ApiKeyStrategy, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [SessionRevocations, PersonSessions],
})
export class AuthModule {}
