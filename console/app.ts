/**
 * The web console, served by the same process as the API at `/`: server-rendered pages over the
 * same services (so need to know holds exactly as in the API), plain HTML forms that post and
 * redirect, a stylesheet and one small script served from here (no CDN, no build step).
 */
import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { Router, type RequestHandler } from 'express';
import { noStore, rateLimits } from '../api/perimeter';
import type { Services } from '../services';
import { PROJECT_ROOT } from '../system/paths';
import { consoleErrors } from './errors';
import { adminRoutes } from './pages/admin';
import { identityRoutes } from './pages/identity';
import { webhookRoutes } from './pages/webhooks';
import { clarifyRoutes } from './pages/clarify';
import { actionRoutes } from './pages/actions';
import { attachmentRoutes, readUploadForm } from './pages/attachments';
import { listRoutes } from './pages/lists';
import { notificationRoutes, withUnreadCount } from './pages/notifications';
import { newRequestRoutes } from './pages/new-request';
import { passkeyRoutes } from './pages/passkeys';
import { reportRoutes } from './pages/report';
import { printRoutes } from './pages/print';
import { requestRoutes } from './pages/request';
import { searchRoutes } from './pages/search';
import { workRoutes } from './pages/work';
import { signInRoutes } from './pages/sign-in';
import { oidcRoutes } from './oidc';
import { csrfOnChanges, resolveSession } from './session';

/** The console's paths; anything else (the API, /docs...) passes through untouched. */
const CONSOLE_PATHS = /^\/(sign-in|sign-out|preferences|requests|inbox|review|report|search|admin|passkeys|notifications|work)?(\/|$)/;

export function consoleRoutes(services: Services, o: { rateLimitPerMinute: number }): Router {
  const router = Router();
  router.use(
    '/assets',
    express.static(path.join(PROJECT_ROOT, 'console', 'assets'), {
      index: false,
      fallthrough: false,
      maxAge: '1h',
      setHeaders: (res) => res.set('X-Content-Type-Options', 'nosniff'),
    }),
  );
  const consoleOnly: RequestHandler = (req, _res, next) => (CONSOLE_PATHS.test(req.path) ? next() : next('router'));
  router.use(
    consoleOnly,
    noStore,
    cookieParser(),
    express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 5000 }),
    resolveSession(services),
    withUnreadCount(services),
    ...rateLimits(services, o.rateLimitPerMinute),
    // A file's form is multipart: its fields, the CSRF token among them, are read here first.
    readUploadForm,
    csrfOnChanges,
  );
  // Everyone starts on what waits for them (GET /v1/work, each role's own kinds).
  router.get('/', (_req, res) => {
    res.redirect(303, res.locals.principal ? '/work' : '/sign-in');
  });
  router.use(oidcRoutes(services));
  router.use(signInRoutes(services));
  router.use(passkeyRoutes(services));
  router.use(workRoutes(services));
  router.use(listRoutes(services));
  router.use(notificationRoutes(services));
  router.use(searchRoutes(services));
  router.use(newRequestRoutes(services));
  router.use(requestRoutes(services));
  // Before the actions' `/requests/:id/:action`, which would take `print` for an action it does not know.
  router.use(printRoutes(services));
  router.use(clarifyRoutes(services));
  // Before the actions' `/requests/:id/:action`, which would take `attachments` for an action it does not know.
  router.use(attachmentRoutes(services));
  router.use(actionRoutes(services));
  router.use(adminRoutes(services));
  router.use(identityRoutes(services));
  router.use(webhookRoutes(services));
  router.use(reportRoutes(services));
  router.use(consoleOnly, (_req, _res, next) => next(Object.assign(new Error('No such page'), { status: 404 })));
  router.use(consoleErrors(services));
  return router;
}
