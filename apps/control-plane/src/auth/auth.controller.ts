import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { LoginDto, MeView, RefreshDto, SessionView, SwitchTenantDto } from './dto/auth.dto';
import { ANY_ROLE, Allow, CurrentPrincipal, Public, type Principal } from './principal';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView })
  login(@Body() body: LoginDto): Promise<SessionView> {
    return this.auth.login(body);
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
  @Get('me')
  @ApiOkResponse({ type: MeView })
  me(@CurrentPrincipal() principal: Principal): Promise<MeView> {
    return this.auth.me(principal);
  }
}
