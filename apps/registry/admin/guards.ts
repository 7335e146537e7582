import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { authorize } from '../../../libs/auth/index.js';
import { DomainError } from '../../../libs/domain/index.js';
import { principalOf } from '../../../libs/format-kit/index.js';

/** Any authenticated caller. */
@Injectable()
export class AuthenticatedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!principalOf(context.switchToHttp().getRequest())) throw new DomainError('UNAUTHORIZED', 'authentication required');
    return true;
  }
}
