/**
 * A request's threads: reading those the caller takes part in, and writing a message (a record-only
 * action: the workflow keeps nothing of it). The GS thread also shows the review's questions and
 * the requester's answers, taken from the decisions and clarifications recorded; reviewers see each
 * changed field before and after.
 */
import type { z } from 'zod';
import type { MessageRequest, MessageView } from '../api/schemas/messages';
import type { Relation } from '../domain/actions';
import { GS_THREAD, readableThreads, threadToWrite } from '../domain/messages';
import type { HANDLING_CODES, Role } from '../domain/model';
import { markThreadRead, messagesIn, reviewExchanges, writeMessage, type StoredMessage } from '../records/messages';
import type { RecordWrite } from './action-registry';
import type { Principal, ServiceDeps } from './context';
import type { ReadingService } from './reading';
import { conflict, forbidden, notFound } from './refusals';
import { withheldFrom } from './views';

type Message = z.output<typeof MessageView>;
type HandlingCode = (typeof HANDLING_CODES)[number];

const NOT_YOURS = "This thread is not the caller's";

function shown(m: StoredMessage): Message {
  return {
    id: m.id,
    at: m.at.toISOString(),
    thread: m.thread,
    kind: 'MESSAGE',
    author: { role: m.authorRole as Role, ...(m.authorCountry ? { country: m.authorCountry } : {}), name: m.authorName },
    body: m.body,
    handlingCode: m.handlingCode as HandlingCode,
  };
}

/** The clarification questions and answers of a request's review, as GS messages. */
async function reviewMessages(deps: ServiceDeps, n: { id: string; requestingCountry: string; handlingCode: string }, relation: Relation) {
  const { questions, answers, nameOf } = await reviewExchanges(deps.prisma, n.id);
  const handlingCode = n.handlingCode as HandlingCode;
  const asked: Message[] = questions.map((q) => ({
    id: q.id,
    at: q.at.toISOString(),
    thread: GS_THREAD,
    kind: 'QUESTION',
    author: { role: 'REVIEWER', name: nameOf(q.reviewerKeyId) },
    body: q.reason ?? '',
    handlingCode,
  }));
  const answered: Message[] = answers.map((a) => {
    const after = a.changes as Record<string, unknown>;
    const before = (a.before ?? {}) as Record<string, unknown>;
    const paths = Object.keys(after);
    return {
      id: a.id,
      at: a.at.toISOString(),
      thread: GS_THREAD,
      kind: 'ANSWER',
      author: { role: 'NCB', country: n.requestingCountry, name: nameOf(a.keyId) },
      body: a.message,
      handlingCode,
      changes: paths,
      ...(relation === 'REVIEWER' ? { changed: paths.map((path) => ({ path, before: before[path] ?? null, after: after[path] })) } : {}),
    };
  });
  return [...asked, ...answered];
}

/**
 * Writes a message in the thread its body and its author point to; the catalogue has let the
 * caller write on this request. The other side is told (MESSAGE): the requesting country of a
 * reviewer's or a recipient's message, the recipient of the requester's in its thread. Reviewers
 * have no country feed: a requester's GS message counts as unread for each reviewer until read.
 */
export async function postMessage(deps: ServiceDeps, a: RecordWrite<z.output<typeof MessageRequest>>): Promise<Message> {
  const { noticeId, notice, relation, principal, body } = a;
  // Only the requester names a recipient's thread, and it sees every recipient.
  const recipients = notice.publishedAt ? notice.recipients.map((r) => r.country) : [];
  const target = threadToWrite(relation, principal.country, body.country, recipients);
  if ('refused' in target) {
    if (target.refused === 'NO_SUCH_THREAD') throw conflict('The request is not published to this country', 'NO_SUCH_THREAD');
    throw forbidden(NOT_YOURS, 'NOT_YOUR_THREAD');
  }
  const tell = relation === 'REQUESTER' ? (target.thread === GS_THREAD ? [] : [target.thread]) : [notice.requestingCountry];
  const stored = await writeMessage(deps.prisma, {
    id: a.actionId,
    noticeId,
    thread: target.thread,
    author: principal,
    body: body.body,
    handlingCode: body.handlingCode,
    at: new Date(),
    tell,
    reference: notice.reference,
  });
  return shown(stored);
}

export function messageService(deps: ServiceDeps, reading: ReadingService) {
  return {
    /** The messages of the threads the caller may read (only `thread` if given), oldest first. */
    async list(id: string, principal: Principal, thread?: string): Promise<{ threads: string[]; items: Message[] }> {
      const { notice, relation } = await reading.visible(id, principal);
      if (withheldFrom(notice, relation)) return { threads: [], items: [] };
      const readable = readableThreads(
        relation,
        principal.country,
        notice.recipients.map((r) => r.country),
      );
      if (thread !== undefined && !readable.includes(thread)) {
        if (relation === 'REQUESTER') throw notFound('The request has no thread with this country');
        throw forbidden(NOT_YOURS, 'NOT_YOUR_THREAD');
      }
      const threads = thread !== undefined ? [thread] : readable;
      await reading.auditReads([notice], principal, 'messages');
      const written = (await messagesIn(deps.prisma, id, threads)).map(shown);
      const review = threads.includes(GS_THREAD) ? await reviewMessages(deps, notice, relation) : [];
      if (relation === 'REVIEWER' && threads.includes(GS_THREAD)) await markThreadRead(deps.prisma, principal.userId, id, new Date());
      const items = [...written, ...review].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
      return { threads: readable, items };
    },
  };
}
