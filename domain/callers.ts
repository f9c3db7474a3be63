/**
 * Who a caller is to a request (its relation), and whether an actor named in an action can be one
 * the system made. Bundle-safe: the workflow asks both of every action it is sent.
 */
import { ROLES, type Role } from './model';
import type { Refused, Relation } from './actions';

/**
 * How a caller stands to a request: reviewers and the CCF by their role; an NCB as the requester,
 * or as a recipient once the request is published to its country. Undefined: the request is none
 * of its business.
 */
export function relationOf(
  caller: { role: Role; country?: string | null },
  request: { requestingCountry: string; published: boolean; addressedTo: (country: string) => boolean },
): Relation | undefined {
  if (caller.role === 'REVIEWER') return 'REVIEWER';
  if (caller.role === 'CCF') return 'CCF';
  if (caller.role !== 'NCB' || !caller.country) return undefined;
  if (caller.country === request.requestingCountry) return 'REQUESTER';
  if (request.published && request.addressedTo(caller.country)) return 'RECIPIENT';
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Why an actor cannot be one the system made (undefined: it can): every actor is a user holding a
 * key, both named by UUIDs, with one of the roles, and a country exactly when it is an NCB.
 */
export function actorRefusal(actor: unknown): Refused | undefined {
  const a = actor as { role?: unknown; userId?: unknown; keyId?: unknown; country?: unknown } | null | undefined;
  const unknown: Refused = { kind: 'FORBIDDEN', code: 'UNKNOWN_ACTOR', message: 'The action names an actor the system does not know' };
  if (!a || typeof a !== 'object') return unknown;
  if (typeof a.role !== 'string' || !(ROLES as readonly string[]).includes(a.role)) return unknown;
  if (typeof a.userId !== 'string' || !UUID.test(a.userId) || typeof a.keyId !== 'string' || !UUID.test(a.keyId)) return unknown;
  const hasCountry = typeof a.country === 'string' && /^[A-Z]{2}$/.test(a.country);
  if (a.role === 'NCB' ? !hasCountry : a.country !== undefined && a.country !== null) return unknown;
  return undefined;
}
