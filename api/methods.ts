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

/** Answers 405 for a documented path called with a method it does not have; passes anything else on. */
export function methodNotAllowed(registry: OpenAPIRegistry, extra: Record<string, string[]> = {}): RequestHandler {
  let paths: PathMethods[] | undefined;
  return (req, res, next) => {
    // Built at the first call: every route is registered by then.
    paths ??= documentedPaths(registry, extra);
    const path = req.originalUrl.split('?')[0];
    const found = paths.find((p) => p.pattern.test(path));
    if (!found || found.methods.has(req.method)) return next();
    const allowed = [...found.methods].sort().join(', ');
    res.set('Allow', allowed);
    next(new HttpProblem(405, `${req.method} is not a method of ${path}; it has ${allowed}`));
  };
}
