/** Requests: submission, review actions, responses, and reading them under need to know. */
import crypto from 'node:crypto';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isFinal, type Status } from '../domain/model';
import { subjectKey } from '../domain/screening';
import type { Prisma } from '../generated/prisma/client';
import type { PrismaClient } from '../prisma/database';
import { startNoticeWorkflow } from '../temporal/start-notice';
import { cancelUpdate, clarifyUpdate, decideUpdate, respondUpdate, withdrawUpdate, type ResponseInput } from '../workflows/messages';
import { recordAudit } from '../activities/audit';
import { readPilotSettings } from './admin';
import type { Principal } from './auth';
import { claimIdempotencyKey, requestHash } from './idempotency';
import { HttpProblem, badRequest, conflict, forbidden } from './problem';
import { addRoute } from './route';
import {
  CancellationRequest,
  ClarificationRequest,
  DecisionRequest,
  EventList,
  IdParam,
  NoticeList,
  NoticeListQuery,
  NoticeRequest,
  NoticeView,
  ResponseList,
  ResponseRequest,
  WithdrawalRequest,
} from './schemas';
import { findingsFor, loadVisibleNotice, noticeView, relationTo, type Relation } from './views';

export interface NoticeDeps {
  prisma: PrismaClient;
  temporal: Client;
  taskQueue: string;
  daySeconds: number;
  log: Logger;
}

const IDEMPOTENCY_HEADER = {
  'Idempotency-Key': 'Repeat a request safely: the same key and body return the first result; another body is 409',
};

export function noticeRoutes(deps: NoticeDeps, registry: OpenAPIRegistry): Router {
  const { prisma, temporal } = deps;
  const router = Router();
  const tag = 'Requests';

  /** The caller's view of a request; `readBy` names what was read when that read is to be audited. */
  async function view(id: string, principal: Principal, readBy?: string) {
    const { notice, relation } = await loadVisibleNotice(prisma, id, principal);
    if (readBy) await auditReads([notice], principal, readBy);
    const findings = relation === 'RECIPIENT' ? undefined : (await findingsFor(prisma, [id])).get(id);
    return noticeView(notice, relation, principal.country, findings);
  }

  /** Every read of a request by someone other than its requester is in its audit trail. */
  async function auditReads(notices: { id: string; requestingCountry: string }[], principal: Principal, what: string) {
    const at = new Date();
    const read = notices.filter((n) => n.requestingCountry !== principal.country || principal.role !== 'NCB');
    await recordAudit(prisma, ...read.map((n) => ({ noticeId: n.id, at, type: 'READ', actor: principal, data: { what } })));
  }

  const startWorkflow = (notice: { id: string; requestingCountry: string; responseDays: number }) =>
    startNoticeWorkflow(temporal, { taskQueue: deps.taskQueue, daySeconds: deps.daySeconds }, notice);

  /** Sends an action to the request's workflow; answers only after its effect is in the record. */
  async function act(id: string, principal: Principal, send: () => Promise<unknown>) {
    await send();
    return view(id, principal);
  }

  /** The request, if the caller may see it, it is not final, and (for an NCB action) the caller has `role` in it. */
  async function requireOpen(id: string, principal: Principal, role?: { is: Relation; otherwise: string }) {
    const { notice, relation } = await loadVisibleNotice(prisma, id, principal);
    if (role && relation !== role.is) throw forbidden(role.otherwise);
    if (isFinal(notice.status as Status)) throw conflict(`The request is ${notice.status}, a final state: no further action is possible`);
    return { notice, relation };
  }

  // --- submission

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'post',
      path: '/notices',
      summary: 'Submit a Silver Notice or Diffusion request',
      tag,
      roles: ['NCB'],
      body: NoticeRequest,
      headers: IDEMPOTENCY_HEADER,
      success: { status: 201, schema: NoticeView, description: 'The request, SUBMITTED (screening follows at once)' },
      errors: [409],
    },
    async ({ body, principal, req }) => {
      const country = principal.country!;
      if (body.recipients?.includes(country))
        throw badRequest('The request is invalid', [{ path: 'recipients', message: 'must not include the requesting country' }]);
      const pilot = await readPilotSettings(prisma);
      if (!pilot.participants.includes(country))
        throw forbidden(`${country} does not take part in the Silver pilot; ask the pilot administrator`);
      if (pilot.recipientsLimitedToParticipants && body.recipients) {
        const outside = body.recipients.filter((c) => !pilot.participants.includes(c));
        if (outside.length)
          throw badRequest('The request is invalid', [
            { path: 'recipients', message: `only pilot participants may receive requests; not participating: ${outside.join(', ')}` },
          ]);
      }
      if (body.kind === 'NOTICE' && pilot.recipientsLimitedToParticipants && pilot.participants.every((c) => c === country)) {
        throw conflict('A notice goes to the other pilot participants, and there are none yet');
      }

      let id: string = crypto.randomUUID();
      const idemKey = idempotencyKeyFrom(req.headers['idempotency-key']);
      if (idemKey) {
        const claim = await claimIdempotencyKey(prisma, {
          keyId: principal.keyId,
          scope: 'notices',
          key: idemKey,
          hash: requestHash(body),
          resourceId: id,
        });
        id = claim.resourceId;
        if (claim.replay) {
          const existing = await prisma.notice.findUnique({ where: { id } });
          if (existing) {
            await startWorkflow(existing);
            return { status: 201, body: await view(id, principal) };
          }
        }
      }

      const now = new Date();
      try {
        const notice = await prisma.$transaction(async (tx) => {
          // Serialises submissions per country, so two cannot both take the last quota slot.
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'quota:' + country}))`;
          const used = await tx.notice.count({ where: { requestingCountry: country, holdsQuota: true } });
          if (used >= pilot.quotaPerParticipant) {
            throw conflict(`${country} has used its pilot quota (${used} of ${pilot.quotaPerParticipant})`);
          }
          return recordSubmission(tx, { id, body, principal, now });
        });
        await startWorkflow(notice);
      } catch (err) {
        // The same Idempotency-Key sent twice at once: the second finds the first's request.
        if ((err as { code?: string }).code === 'P2002' && idemKey) return { status: 201, body: await view(id, principal) };
        throw err;
      }
      deps.log.info({ noticeId: id, country, kind: body.kind }, 'request submitted');
      return { status: 201, body: await view(id, principal) };
    },
  );

  // --- review and actions

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'post',
      path: '/notices/:id/decisions',
      summary: 'Approve, reject or ask for clarification, with reasons',
      tag,
      roles: ['REVIEWER'],
      params: IdParam,
      body: DecisionRequest,
      success: { status: 200, schema: NoticeView, description: 'The request after the decision' },
      errors: [404, 409],
    },
    async ({ params, body, principal }) => {
      await requireOpen(params.id, principal);
      return {
        body: await act(params.id, principal, () =>
          temporal.workflow.getHandle(params.id).executeUpdate(decideUpdate, {
            args: [{ decision: body.decision, reason: body.reason, grounds: body.grounds ?? [], actor: principal }],
          }),
        ),
      };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'post',
      path: '/notices/:id/clarifications',
      summary: 'Answer a clarification request, optionally changing the request',
      tag,
      roles: ['NCB'],
      params: IdParam,
      body: ClarificationRequest,
      success: { status: 200, schema: NoticeView, description: 'The request, back UNDER_REVIEW and screened again' },
      errors: [404, 409],
    },
    async ({ params, body, principal }) => {
      const { notice } = await requireOpen(params.id, principal, {
        is: 'REQUESTER',
        otherwise: 'Only the requesting NCB can answer a clarification request',
      });
      const changes = (body.changes ?? {}) as Record<string, unknown>;
      // The changed request must still meet every submission rule.
      const merged = {
        kind: notice.kind,
        ...(notice.kind === 'DIFFUSION' ? { recipients: notice.requestedRecipients } : {}),
        purposes: notice.purposes,
        subject: notice.subject,
        offence: notice.offence,
        assetsSought: notice.assetsSought,
        handlingCode: notice.handlingCode,
        urgency: notice.urgency,
        language: notice.language,
        // A new urgency without new responseDays takes that urgency's default (30, or 7 when URGENT).
        ...('urgency' in changes && !('responseDays' in changes) ? {} : { responseDays: notice.responseDays }),
        ...changes,
      };
      const checked = NoticeRequest.safeParse(merged);
      if (!checked.success) {
        throw new HttpProblem(
          400,
          'The changes would make the request invalid',
          checked.error.issues.map((i) => ({ path: ['changes', ...i.path.map(String)].join('.'), message: i.message })),
        );
      }
      if (checked.data.recipients?.includes(notice.requestingCountry)) {
        throw badRequest('The request is invalid', [{ path: 'changes.recipients', message: 'must not include the requesting country' }]);
      }
      if ('urgency' in changes && !('responseDays' in changes)) changes.responseDays = checked.data.responseDays;
      return {
        body: await act(params.id, principal, () =>
          temporal.workflow
            .getHandle(params.id)
            .executeUpdate(clarifyUpdate, { args: [{ message: body.message, changes, actor: principal }] }),
        ),
      };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'post',
      path: '/notices/:id/withdrawal',
      summary: 'Withdraw a request (requesting NCB), telling recipients if it was published',
      tag,
      roles: ['NCB'],
      params: IdParam,
      body: WithdrawalRequest,
      success: { status: 200, schema: NoticeView, description: 'The request, WITHDRAWN' },
      errors: [404, 409],
    },
    async ({ params, body, principal }) => {
      await requireOpen(params.id, principal, { is: 'REQUESTER', otherwise: 'Only the requesting NCB can withdraw its request' });
      return {
        body: await act(params.id, principal, () =>
          temporal.workflow.getHandle(params.id).executeUpdate(withdrawUpdate, { args: [{ reason: body.reason, actor: principal }] }),
        ),
      };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'post',
      path: '/notices/:id/cancellation',
      summary: 'Cancel a published request (reviewer), telling every recipient',
      tag,
      roles: ['REVIEWER'],
      params: IdParam,
      body: CancellationRequest,
      success: { status: 200, schema: NoticeView, description: 'The request, CANCELLED' },
      errors: [404, 409],
    },
    async ({ params, body, principal }) => {
      await requireOpen(params.id, principal);
      return {
        body: await act(params.id, principal, () =>
          temporal.workflow
            .getHandle(params.id)
            .executeUpdate(cancelUpdate, { args: [{ reason: body.reason, grounds: body.grounds ?? [], actor: principal }] }),
        ),
      };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'post',
      path: '/notices/:id/responses',
      summary: 'Answer a published request as a recipient: assets located, none found, or unable to assist',
      tag,
      roles: ['NCB'],
      params: IdParam,
      body: ResponseRequest,
      headers: IDEMPOTENCY_HEADER,
      success: { status: 201, schema: NoticeView, description: 'The request as this recipient sees it' },
      errors: [404, 409],
    },
    async ({ params, body, principal, req }) => {
      const { notice, relation } = await loadVisibleNotice(prisma, params.id, principal);
      if (relation !== 'RECIPIENT') throw forbidden('Only a recipient of this request can respond to it');
      let responseId: string = crypto.randomUUID();
      const idemKey = idempotencyKeyFrom(req.headers['idempotency-key']);
      if (idemKey) {
        const claim = await claimIdempotencyKey(prisma, {
          keyId: principal.keyId,
          scope: `responses:${params.id}`,
          key: idemKey,
          hash: requestHash(body),
          resourceId: responseId,
        });
        responseId = claim.resourceId;
        // A repeat of a recorded response gets the first result, even if that response has since completed the request.
        if (claim.replay && (await prisma.response.findUnique({ where: { id: responseId }, select: { id: true } }))) {
          return { status: 201, body: await view(params.id, principal) };
        }
      }
      if (isFinal(notice.status as Status)) throw conflict(`The request is ${notice.status}, a final state: no further action is possible`);
      if (notice.status !== 'PUBLISHED') throw conflict(`Responses are accepted while PUBLISHED; the request is ${notice.status}`);
      const input: ResponseInput = {
        responseId,
        country: principal.country!,
        outcome: body.outcome,
        final: body.final,
        reason: body.reason,
        handlingCode: body.handlingCode,
        assets: body.assets ?? [],
        actor: principal,
      };
      return {
        status: 201,
        headers: { 'X-Response-Id': responseId },
        body: await act(params.id, principal, () => temporal.workflow.getHandle(params.id).executeUpdate(respondUpdate, { args: [input] })),
      };
    },
  );

  // --- reading

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/notices/:id',
      summary: 'A request, as the caller may see it',
      tag,
      roles: ['NCB', 'REVIEWER'],
      params: IdParam,
      success: { status: 200, schema: NoticeView, description: 'The request' },
      errors: [404],
    },
    async ({ params, principal }) => ({ body: await view(params.id, principal, 'notice') }),
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/notices',
      summary: 'Requests the caller may see, newest first',
      tag,
      roles: ['NCB', 'REVIEWER'],
      query: NoticeListQuery,
      success: { status: 200, schema: NoticeList, description: 'A page of requests' },
    },
    async ({ query, principal }) => {
      const filters: Prisma.NoticeWhereInput[] = [];
      if (query.status) filters.push({ status: query.status });
      if (query.kind) filters.push({ kind: query.kind });
      const asRecipient: Prisma.NoticeWhereInput = {
        publishedAt: { not: null },
        recipients: { some: { country: principal.country ?? '' } },
      };
      const asRequester: Prisma.NoticeWhereInput = { requestingCountry: principal.country ?? '' };
      if (principal.role === 'NCB') {
        filters.push(query.as === 'REQUESTER' ? asRequester : query.as === 'RECIPIENT' ? asRecipient : { OR: [asRequester, asRecipient] });
      } else if (query.as) {
        throw badRequest('The query is invalid', [{ path: 'query.as', message: 'is only for NCB keys' }]);
      }
      if (query.cursor) {
        const c = decodeCursor(query.cursor);
        filters.push({ OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] });
      }
      const rows = await prisma.notice.findMany({
        where: { AND: filters },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
        include: { recipients: { orderBy: { country: 'asc' } }, decisions: { orderBy: { at: 'asc' } } },
      });
      const page = rows.slice(0, query.limit);
      const findings = await findingsFor(
        prisma,
        page.filter((n) => relationTo(n, principal) !== 'RECIPIENT').map((n) => n.id),
      );
      // A listed request is read as much as a fetched one: audited the same way.
      await auditReads(page, principal, 'list');
      return {
        body: {
          items: page.map((n) => {
            return noticeView(n, relationTo(n, principal)!, principal.country, findings.get(n.id));
          }),
          nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]) : null,
        },
      };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/notices/:id/responses',
      summary: 'Responses: all for the requester and reviewers, its own for a recipient',
      tag,
      roles: ['NCB', 'REVIEWER'],
      params: IdParam,
      success: { status: 200, schema: ResponseList, description: 'Responses, oldest first' },
      errors: [404],
    },
    async ({ params, principal }) => {
      const { notice, relation } = await loadVisibleNotice(prisma, params.id, principal);
      const rows = await prisma.response.findMany({
        where: { noticeId: params.id, ...(relation === 'RECIPIENT' ? { country: principal.country! } : {}) },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      await auditReads([notice], principal, 'responses');
      return {
        body: {
          items: rows.map((r) => ({
            id: r.id,
            country: r.country,
            outcome: r.outcome,
            final: r.final,
            reason: r.reason,
            assets: r.assets,
            handlingCode: r.handlingCode,
            createdAt: r.createdAt.toISOString(),
            late: r.late,
          })),
        },
      };
    },
  );

  addRoute(
    router,
    registry,
    prisma,
    {
      method: 'get',
      path: '/notices/:id/events',
      summary: 'The audit trail of a request, oldest first (requester and reviewers)',
      tag,
      roles: ['NCB', 'REVIEWER'],
      params: IdParam,
      success: { status: 200, schema: EventList, description: 'Audit events' },
      errors: [404],
    },
    async ({ params, principal }) => {
      const { notice, relation } = await loadVisibleNotice(prisma, params.id, principal);
      if (relation === 'RECIPIENT') throw forbidden('The audit trail is for the requesting NCB and reviewers');
      await auditReads([notice], principal, 'events');
      const rows = await prisma.auditEvent.findMany({ where: { noticeId: params.id }, orderBy: { seq: 'asc' } });
      return {
        body: {
          items: rows.map((e) => ({
            at: e.at.toISOString(),
            type: e.type,
            actor: {
              role: e.actorRole,
              ...(e.actorCountry ? { country: e.actorCountry } : {}),
              ...(e.actorKeyId ? { keyId: e.actorKeyId } : {}),
            },
            data: e.data,
          })),
        },
      };
    },
  );

  return router;
}

/** Records a submission and its audit event (inside the caller's transaction, after the quota check). */
export async function recordSubmission(
  tx: Prisma.TransactionClient,
  s: { id: string; body: NoticeRequest; principal: Principal; now: Date },
) {
  const { id, body, principal, now } = s;
  const created = await tx.notice.create({
    data: {
      id,
      kind: body.kind,
      status: 'SUBMITTED',
      requestingCountry: principal.country!,
      createdByKeyId: principal.keyId,
      createdAt: now,
      updatedAt: now,
      requestedRecipients: body.recipients ?? [],
      purposes: body.purposes,
      subject: body.subject as Prisma.InputJsonValue,
      offence: body.offence as Prisma.InputJsonValue,
      assetsSought: body.assetsSought as Prisma.InputJsonValue,
      handlingCode: body.handlingCode,
      urgency: body.urgency,
      language: body.language,
      responseDays: body.responseDays,
      subjectKey: subjectKey(body.subject),
      flags: [],
    },
  });
  await recordAudit(tx, {
    noticeId: id,
    at: now,
    type: 'SUBMITTED',
    actor: principal,
    data: { kind: body.kind, recipients: body.recipients ?? 'ALL_MEMBERS', urgency: body.urgency, responseDays: body.responseDays },
  });
  return created;
}

function idempotencyKeyFrom(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) throw badRequest('The Idempotency-Key header must be 1 to 255 visible ASCII characters');
  return value;
}

function encodeCursor(n: { createdAt: Date; id: string }): string {
  return Buffer.from(`${n.createdAt.toISOString()}|${n.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at);
  if (!id || Number.isNaN(createdAt.getTime()) || !z.uuid().safeParse(id).success) {
    throw badRequest('The query is invalid', [{ path: 'query.cursor', message: 'is not a cursor this API gave out' }]);
  }
  return { createdAt, id };
}
