/** Times every HTTP answer for GET /metrics, labelled by route template, never by the path as called. */
import type { NextFunction, Request, Response } from 'express';
import type { Services } from '../services';

/**
 * The template of the route that answered (`/v1/notices/:id`). A call no route took (refused by
 * the perimeter, unknown, or a static file) is labelled by its area, so a caller inventing paths
 * cannot grow the number of series.
 */
export function routeLabel(req: Request): string {
  if (req.route?.path) return `${req.baseUrl}${req.route.path}`;
  const path = req.originalUrl;
  if (path === '/v1' || path.startsWith('/v1/') || path.startsWith('/v1?')) return '/v1/*';
  if (path === '/docs' || path.startsWith('/docs/')) return '/docs/*';
  return 'other';
}

export function httpMetrics(services: Services) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      services.metrics.observeHttp(req.method, routeLabel(req), res.statusCode, seconds);
    });
    next();
  };
}
