/**
 * A method the API does not have on a path it has (TRACE, PATCH, DELETE on a list...) is 405 with
 * `Allow` naming the ones it has (RFC 9110), not a 404 that would say the path does not exist.
 * The methods come from the OpenAPI registry, which every route is declared in.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { RequestHandler } from 'express';
import { HttpProblem } from './problem';

interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

function documentedPaths(registry: OpenAPIRegistry, extra: Record<string, string[]>): PathMethods[] {
  const byPath = new Map<string, Set<string>>();
  const add = (path: string, method: string) => byPath.set(path, (byPath.get(path) ?? new Set()).add(method.toUpperCase()));
  for (const d of registry.definitions) if (d.type === 'route') add(d.route.path, d.route.method);
  for (const [path, methods] of Object.entries(extra)) for (const m of methods) add(path, m);
  return [...byPath].map(([path, methods]) => {
    if (methods.has('GET')) methods.add('HEAD');
    const segments = path.split('/').map((s) => (/^\{\w+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')));
    return { pattern: new RegExp(`^${segments.join('/')}/?$`), methods };
  });
}

/** The documented methods of the path called, if it is a documented path (built at the first call: every route is registered by then). */
function methodsOf(registry: OpenAPIRegistry, extra: Record<string, string[]>): (path: string) => Set<string> | undefined {
  let paths: PathMethods[] | undefined;
  return (path) => {
    paths ??= documentedPaths(registry, extra);
    return paths.find((p) => p.pattern.test(path))?.methods;
  };
}

const allowOf = (methods: Set<string>) => [...methods].sort().join(', ');

/** Answers 405 for a documented path called with a method it does not have; passes anything else on. */
export function methodNotAllowed(registry: OpenAPIRegistry, extra: Record<string, string[]> = {}): RequestHandler {
  const methods = methodsOf(registry, extra);
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0];
    const found = methods(path);
    if (!found || found.has(req.method)) return next();
    res.set('Allow', allowOf(found));
    next(new HttpProblem(405, `${req.method} is not a method of ${path}; it has ${allowOf(found)}`));
  };
}

/**
 * OPTIONS on a documented path: 204 with `Allow` naming every method of the path. Mounted before
 * the routes: Express would otherwise answer from the first router that has the path, which may hold
 * only some of its methods (GET /notices/{id}/responses and POST live in different routers).
 */
export function allowedMethods(registry: OpenAPIRegistry, extra: Record<string, string[]> = {}): RequestHandler {
  const methods = methodsOf(registry, extra);
  return (req, res, next) => {
    if (req.method !== 'OPTIONS') return next();
    const found = methods(req.originalUrl.split('?')[0]);
    if (!found) return next();
    res.set('Allow', allowOf(found)).status(204).end();
  };
}
