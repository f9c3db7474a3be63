/**
 * The perimeter of /v1: the caller's key is checked before anything else, its body included, so
 * a call without a valid key is 401 whatever it carries.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Principal, Services } from '../services';

export function requireKey(services: Services) {
  return (req: Request, res: Response, next: NextFunction) => {
    services.authenticate(req.headers.authorization).then((principal) => {
      res.locals.principal = principal;
      next();
    }, next);
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
