/**
 * The console's search over plain HTTP: the box on every page of those who read requests, and a
 * results page that finds what the API finds for the reader, no more.
 */
import { consoleVisitor } from '../support/browser';
import { freshRequest, publish, submit } from '../support/helpers';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let it_: string, fr: string, de: string, reviewer: string;

beforeAll(async () => {
  sys = await startTestSystem();
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, de, reviewer] = await sys.keys('IT', 'FR', 'DE', 'REVIEWER');
});
afterAll(() => sys?.stop());

async function signedIn(key: string) {
  const v = consoleVisitor(sys);
  await v.get('/sign-in');
  expect((await v.post('/sign-in', { key })).status).toBe(303);
  return v;
}

test('the results name each request by its case number and say what matched; others find nothing', async () => {
  const subject = { ...freshRequest().subject, familyName: 'Vásquez-Ólafsdóttir' };
  const draft = await submit(sys, it_, freshRequest({ subject, recipients: ['FR'] }));
  // Another person of that name (born another day), or screening would flag a duplicate.
  const published = await publish(
    sys,
    it_,
    reviewer,
    freshRequest({ subject: { ...subject, dateOfBirth: '1970-01-01' }, recipients: ['FR'] }),
  );

  const requester = await signedIn(it_);
  const inbox = await requester.get('/inbox');
  expect(inbox.html).toContain('action="/search" role="search"');
  const mine = await requester.get('/search?q=vasquez%20olafs');
  expect(mine.status).toBe(200);
  expect(mine.html).toContain(`<a href="/requests/${draft.id}">${draft.caseNumber}</a>`);
  expect(mine.html).toContain(`<a href="/requests/${published.id}">${published.caseNumber}</a>`);
  expect(mine.html).toContain(published.reference);
  expect(mine.html).toContain('name of the subject');
  // Before publication a request's page is titled by its case number.
  expect((await requester.get(`/requests/${draft.id}`)).html).toContain(`<h1>${draft.caseNumber}`);

  const recipient = await signedIn(fr);
  const found = await recipient.get('/search?q=VASQUEZ');
  expect(found.html).toContain(published.caseNumber);
  expect(found.html).not.toContain(draft.caseNumber);
  const stranger = await signedIn(de);
  const none = await stranger.get('/search?q=vasquez');
  expect(none.html).not.toContain(published.caseNumber);
  expect(none.html).toContain('No request you may read matches.');
});

test('a query without a letter or a digit is explained, not refused', async () => {
  const v = await signedIn(reviewer);
  const res = await v.get('/search?q=--');
  expect(res.status).toBe(200);
  expect(res.html).toContain('Type a letter or a digit to search.');
});
