import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { ChangePasswordDto, LoginDto, MeView, RefreshDto, SessionView, SwitchTenantDto } from './dto/auth.dto';
import { ANY_ROLE, Allow, CurrentPrincipal, Public, type Principal } from './principal';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this account or from this address; Retry-After says when to try again' })
  login(@Body() body: LoginDto, @Req() request: Request): Promise<SessionView> {
    return this.auth.login(body, clientAddress(request));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  refresh(@Body() body: RefreshDto): Promise<SessionView> {
    return this.auth.refresh(body.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  logout(@Body() body: RefreshDto): Promise<void> {
    return this.auth.logout(body.refreshToken);
  }

  @Allow(...ANY_ROLE)
  @ApiBearerAuth()
  @Post('switch-tenant')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  switchTenant(@CurrentPrincipal() principal: Principal, @Body() body: SwitchTenantDto): Promise<SessionView> {
    return this.auth.switchTenant(principal, body.tenantId);
  }

  @Allow(...ANY_ROLE)
  @ApiBearerAuth()
  @Post('password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: "Changed; the person's other sessions have ended, this one stays open" })
  @ApiForbiddenResponse({ description: 'The current password is not right, or the caller is an API key' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong passwords for this account or from this address' })
  changePassword(@CurrentPrincipal() principal: Principal, @Body() body: ChangePasswordDto, @Req() request: Request): Promise<void> {
    return this.auth.changePassword(principal, body, clientAddress(request));
  }

  @Allow(...ANY_ROLE)
  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: MeView })
  me(@CurrentPrincipal() principal: Principal): Promise<MeView> {
    return this.auth.me(principal);
  }
}

/** The caller's address: behind the proxies HTTP_TRUST_PROXY names, the one they forwarded. */
function clientAddress(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}
