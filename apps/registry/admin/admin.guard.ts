import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { authorize } from '../../../libs/auth/index.js';
import { principalOf } from '../../../libs/format-kit/index.js';

/** Registry-wide administration needs an admin principal (the same authorize() rule every format uses). */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    authorize(principalOf(context.switchToHttp().getRequest()), null, 'admin');
    return true;
  }
}
