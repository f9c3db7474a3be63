/**
 * Who is calling /v1: the caller's key is checked before anything else, its body included. The
 * perimeter (perimeter.ts) counts the call, then refuses it with 401 if the key is not valid.
 */
import type { RequestHandler, Response } from 'express';
import type { Principal, Services } from '../services';
import { Refusal } from '../services/refusals';

/** Sets `res.locals.principal`, or `res.locals.refusal` when the key is missing or not valid. */
export function identify(services: Services): RequestHandler {
  return (req, res, next) => {
    services.authenticate(req.headers.authorization).then(
      (principal) => {
        res.locals.principal = principal;
        next();
      },
      (err: unknown) => {
        if (!(err instanceof Refusal)) return next(err);
        res.locals.refusal = err;
        next();
      },
    );
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
