/** Who may open a page: signed in, and of one of these roles (others get the API's 403). */
import type { RequestHandler } from 'express';
import type { Role } from '../../domain/model';
import { forbidden } from '../../services/refusals';
import type { Ctx } from '../context';
import { requireSignIn } from '../session';

export function allow(...roles: Role[]): RequestHandler[] {
  const role: RequestHandler = (_req, res, next) => {
    const ctx = res.locals.ctx as Ctx;
    next(roles.includes(ctx.principal!.role) ? undefined : forbidden(ctx.t('error.403.role')));
  };
  return [requireSignIn, role];
}
