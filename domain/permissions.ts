/**
 * Asking the action catalogue (domain/actions.ts): why an action is refused to a caller now, which
 * actions are open to it, and every code an action can be refused with. The services, the
 * workflow's validators and the views ask here; none of them restates a rule.
 */
import { isFinal, type Role } from './model';
import type { RefusalCode } from './codes';
import { ACTION_NAMES, CATALOGUE, conflict, type ActionName, type Caller, type Relation, type Refused, type Situation } from './actions';

const ROLE_OF: Record<Relation, Role> = { REQUESTER: 'NCB', RECIPIENT: 'NCB', REVIEWER: 'REVIEWER', CCF: 'CCF' };

/** The roles that may take `action` at all (what the API documents and checks first). */
export function rolesFor(action: ActionName): Role[] {
  return [...new Set(CATALOGUE[action].relations.map((r) => ROLE_OF[r]))];
}

/** Why `caller` may not take `action` now (undefined: it may). */
export function refusalOf(action: ActionName, caller: Caller, s: Situation): Refused | undefined {
  return whoRefusal(action, caller) ?? whenRefusal(action, caller, s);
}

/** Why `action` is not `caller`'s to take, whatever the request's state (undefined: it is). */
export function whoRefusal(action: ActionName, caller: Caller): Refused | undefined {
  const rule = CATALOGUE[action];
  if (!rolesFor(action).includes(caller.role)) {
    return { kind: 'FORBIDDEN', code: 'FORBIDDEN', message: `This action is for ${rolesFor(action).join(' or ')} users` };
  }
  if (!caller.relation || !rule.relations.includes(caller.relation)) return { kind: 'FORBIDDEN', ...rule.notYours };
  return undefined;
}

/**
 * Why `action` does not fit the request now (undefined: it fits). The workflow asks this again when
 * an action it accepted gets its turn, since the request may have moved while it waited.
 */
export function whenRefusal(action: ActionName, caller: Caller, s: Situation): Refused | undefined {
  const rule = CATALOGUE[action];
  if (!rule.states.includes(s.status)) {
    return isFinal(s.status)
      ? conflict('REQUEST_FINAL', `The request is ${s.status}, a final state: no further action is possible`)
      : conflict('WRONG_STATE', `This cannot be done while the request is ${s.status}`);
  }
  return rule.unless?.(s, caller);
}

/** The actions `caller` may take now, in the catalogue's order. */
export function actionsOpenTo(caller: Caller, s: Situation): ActionName[] {
  return ACTION_NAMES.filter((a) => refusalOf(a, caller, s) === undefined);
}

/** Every code `action` can be refused with (for the documentation). */
export function refusalCodesOf(action: ActionName): RefusalCode[] {
  const codes = new Set<RefusalCode>(['FORBIDDEN', CATALOGUE[action].notYours.code, 'WRONG_STATE', 'REQUEST_FINAL']);
  const probe = CATALOGUE[action].unless;
  if (probe) {
    // Each situation flag the rule may look at, turned on alone, shows the codes it answers with.
    const base: Situation = { status: 'PUBLISHED', blocked: false, renewalRequested: false, reassessmentDue: true, approvedBy: [], now: 1 };
    const variants: Situation[] = [
      base,
      { ...base, blocked: true },
      { ...base, closing: true },
      { ...base, renewalRequested: true },
      { ...base, reassessmentDue: false },
      { ...base, approvedBy: ['me'] },
      { ...base, claimedBy: 'me' },
      { ...base, claimedBy: 'other' },
      { ...base, amendment: { approvedBy: [] } },
      { ...base, amendment: { approvedBy: ['me'] } },
      { ...base, attachments: Number.MAX_SAFE_INTEGER },
      { ...base, own: { final: true, dueAt: 2 } },
      { ...base, own: { final: false, dueAt: 0 } },
      { ...base, own: { final: false, dueAt: 2, deletionConfirmed: true } },
      { ...base, published: false },
    ];
    for (const v of variants) {
      const refused = probe(v, { role: 'NCB', userId: 'me' });
      if (refused) codes.add(refused.code);
    }
  }
  return [...codes];
}
