/**
 * Search attributes, read back through Temporal's visibility API as the Web UI filters do. The
 * time-skipping test server keeps no visibility, so this runs on the dev server (`temporal server
 * start-dev`), which `npm start` embeds.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { eventually, freshRequest, publishScreened, submitScreened, viaWorkflow } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem({ temporal: 'dev' });
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
});
afterAll(() => sys?.stop());

async function list(query: string): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const w of sys.env.client.workflow.list({ query })) found.push(w);
  return found;
}
const ids = (found: WorkflowExecutionInfo[]) => found.map((w) => w.workflowId).sort();

test('requests are listed by status, kind, requesting country, urgency and reference, and show their next due time', async () => {
  const body = freshRequest({ recipients: ['FR'], urgency: 'URGENT' });
  const published = await publishScreened(sys, it_, reviewer, body);
  const inReview = await submitScreened(sys, it_, freshRequest({ kind: 'NOTICE', recipients: undefined }));
  const withdrawn = await submitScreened(sys, it_);
  expect(await viaWorkflow.withdraw(sys, it_, withdrawn)).toEqual({ ok: true, status: 'WITHDRAWN' });

  const mine = `SilverRequestingCountry = 'IT' AND WorkflowId IN ('${published}', '${inReview}', '${withdrawn}')`;
  await eventually(
    () => list(`${mine} AND SilverStatus = 'PUBLISHED'`),
    (f) => ids(f).join() === published,
    'the published request',
  );
  await eventually(
    () => list(`${mine} AND SilverStatus = 'UNDER_REVIEW'`),
    (f) => ids(f).join() === inReview,
    'the request in review',
  );
  await eventually(
    () => list(`${mine} AND SilverStatus = 'WITHDRAWN'`),
    (f) => ids(f).join() === withdrawn,
    'the withdrawn request',
  );
  expect(ids(await list(`${mine} AND SilverKind = 'NOTICE'`))).toEqual([inReview]);
  expect(ids(await list(`${mine} AND SilverUrgency = 'URGENT'`))).toEqual([published]);

  const [info] = await list(`WorkflowId = '${published}'`);
  const attrs = info.typedSearchAttributes;
  const reference = attrs.get(SEARCH_ATTRIBUTES.reference)!;
  expect(reference).toMatch(/^SD-\d{4}-\d{6}$/);
  expect(ids(await list(`SilverReference = '${reference}'`))).toEqual([published]);
  expect(attrs.get(SEARCH_ATTRIBUTES.kind)).toBe('DIFFUSION');
  // Urgent: three days to answer, the reminder at 80 % of them comes first.
  const due = attrs.get(SEARCH_ATTRIBUTES.nextDueAt)!;
  const soon = Date.now() + 3 * 86_400_000;
  expect(due.getTime()).toBeGreaterThan(Date.now());
  expect(due.getTime()).toBeLessThan(soon);
  expect(ids(await list(`SilverNextDueAt < '${new Date(soon).toISOString()}' AND WorkflowId = '${published}'`))).toEqual([published]);
  // Nothing personal: only codes, a reference and dates.
  expect(JSON.stringify(info.searchAttributes)).not.toMatch(
    new RegExp(`${body.subject.familyName}|${body.assetsSought[0].identifiers.iban}`),
  );

  // An answer completes it: the status follows, the next due time goes.
  expect(await viaWorkflow.respond(sys, fr, published)).toEqual({ ok: true, status: 'PUBLISHED' });
  const [done] = await eventually(
    () => list(`WorkflowId = '${published}' AND SilverStatus = 'COMPLETED'`),
    (f) => f.length === 1,
    'the completed request',
  );
  expect(done.typedSearchAttributes.get(SEARCH_ATTRIBUTES.nextDueAt)).toBeUndefined();
});
