/** Times every HTTP answer for GET /metrics, labelled by route template, never by the path as called. */
import type { Express, NextFunction, Request, Response } from 'express';
import type { Services } from '../services';

/** What this file reads of Express's router: its stack of layers, each a mount, a route or middleware. */
interface RouterLayer {
  match(path: string): { path: string; pattern: unknown } | false;
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: { stack?: RouterLayer[] };
}

const takes = (route: NonNullable<RouterLayer['route']>, method: string) =>
  Boolean(route.methods._all || route.methods[method.toLowerCase()] || (method === 'HEAD' && route.methods.get));

/** A path the router cannot decode (a stray `%`) matches no route here, as it reaches none there. */
function matchOf(layer: RouterLayer, path: string): ReturnType<RouterLayer['match']> {
  try {
    return layer.match(path);
  } catch {
    return false;
  }
}

/**
 * The template of the route (mount paths included) that the router would hand `method path` to,
 * or failing that of any route at that path. Looked up from the path, not from what the request
 * met on its way: a call refused before routing (401, 429) has met no route, and once an error
 * leaves a mounted router Express has already put `req.baseUrl` back to the parent's.
 */
function templateOf(stack: RouterLayer[], method: string | undefined, path: string, mountedAt = ''): string | undefined {
  for (const layer of stack) {
    const match = matchOf(layer, path);
    if (!match) continue;
    if (layer.route) {
      if (typeof layer.route.path === 'string' && (method === undefined || takes(layer.route, method)))
        return `${mountedAt}${layer.route.path}`;
      continue;
    }
    if (!Array.isArray(layer.handle.stack)) continue;
    // Mounts here have plain paths: the pattern, unlike the matched text, carries no caller's value.
    const mount = typeof match.pattern === 'string' ? match.pattern.replace(/\/+$/, '') : undefined;
    if (mount === undefined) continue;
    const found = templateOf(layer.handle.stack, method, path.slice(match.path.length) || '/', `${mountedAt}${mount}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * The template of the route a call addressed (`/v1/notices/:id`), answered or refused. A path no
 * route has (unknown, or a static file) is labelled by its area, so a caller inventing paths
 * cannot grow the number of series.
 */
export function routeLabel(req: Request): string {
  const path = (req.originalUrl ?? req.url).split('?')[0];
  const stack = (req.app as Express & { router?: { stack?: RouterLayer[] } }).router?.stack;
  if (stack) {
    const template = templateOf(stack, req.method, path) ?? templateOf(stack, undefined, path);
    if (template) return template;
  }
  if (path === '/v1' || path.startsWith('/v1/')) return '/v1/*';
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
