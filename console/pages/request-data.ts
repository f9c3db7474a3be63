/** Everything a request's page shows, read through the services as the reader (so with need to know). */
import { IdParam } from '../../api/schemas/common';
import type { Principal, Services } from '../../services';
import type { FourEyes } from '../../services/review';
import type { Relation } from '../../services/reading';
import { notFound } from '../../services/refusals';
import { isFull, type FullView } from './parts';

type Reading = Services['reading'];

export interface RequestPage {
  id: string;
  relation: Relation;
  view: Awaited<ReturnType<Reading['view']>>;
  responses?: Awaited<ReturnType<Reading['responses']>>;
  events?: Awaited<ReturnType<Reading['events']>>;
  links?: Awaited<ReturnType<Services['links']['ofRequest']>>;
  fourEyes?: FourEyes;
  messages?: Awaited<ReturnType<Services['messages']['list']>>;
  attachments?: Awaited<ReturnType<Services['attachments']['list']>>;
}

/** An id from a URL, or a 404 saying what was not found. */
export function idOr404(raw: string, what: string): string {
  const id = requestId(raw);
  if (!id) throw notFound(what);
  return id;
}

/** Ids as the API takes them (a UUID in any letter case); anything else is no request at all. */
export const requestId = (id: unknown): string | undefined => {
  const parsed = IdParam.safeParse({ id });
  return parsed.success ? parsed.data.id : undefined;
};

export async function loadRequestPage(services: Services, principal: Principal, id: string): Promise<RequestPage> {
  const { view, relation } = await services.reading.viewAs(id, principal, 'notice');
  const full: FullView | undefined = isFull(view) ? view : undefined;
  const insider = relation !== 'RECIPIENT';
  const [responses, events, links, fourEyes, messages, attachments] = await Promise.all([
    full?.publishedAt ? services.reading.responses(id, principal) : undefined,
    insider ? services.reading.events(id, principal) : undefined,
    insider ? services.links.ofRequest(id, principal) : undefined,
    services.review.fourEyes(id, principal, { relation, status: view.status }),
    services.messages.list(id, principal),
    // The page's read of the request is audited already.
    services.attachments.list(principal, id, { audited: true }),
  ]);
  return { id, relation, view, responses, events, links, fourEyes, messages, attachments };
}
