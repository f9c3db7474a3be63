/**
 * Attachments on a request's page, in a real browser: the requester attaches a PDF (multipart, with
 * the session's CSRF token) and downloads it back byte for byte; a recipient sees the shared file
 * and attaches its own, which another recipient's page does not list; a post without the token is
 * refused; a PNG named as a PDF is refused with the code's words; axe-core finds nothing serious.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { freshRequest, publish } from '../support/helpers';
import { type Browser, seriousViolations, signIn, startBrowser, submit, textOf } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string, fr: string, es: string, reviewer: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  [it_, fr, es, reviewer] = await sys.keys('IT', 'FR', 'ES', 'REVIEWER');
});
afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(30_000)]);
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(500)]);

test('attached from the page, listed to those who may read it, downloaded back byte for byte', async () => {
  const { id } = await publish(sys, it_, reviewer, freshRequest({ recipients: ['FR', 'ES'] }));
  const requester = await browser.person();
  await signIn(requester, sys.baseUrl, it_);
  await requester.goto(`${sys.baseUrl}/requests/${id}`);
  expect(await textOf(requester, '#attachments')).toContain('No file is attached yet.');
  await requester.setInputFiles('#attachment-file', { name: 'décision du tribunal.pdf', mimeType: 'application/pdf', buffer: pdf });
  await submit(requester, '#attachments button[type=submit]');
  expect(requester.url()).toContain('done=attach');
  expect(await textOf(requester, '#attachments')).toContain('décision du tribunal.pdf');
  expect(await seriousViolations(requester)).toEqual([]);

  const [download] = await Promise.all([requester.waitForEvent('download'), requester.click('#attachments a[download]')]);
  expect(download.suggestedFilename()).toBe('décision du tribunal.pdf');
  expect(fs.readFileSync((await download.path())!).equals(pdf)).toBe(true);

  // A PNG named as a PDF: refused, with the code's words, and nothing kept.
  await requester.setInputFiles('#attachment-file', { name: 'scan.pdf', mimeType: 'application/pdf', buffer: png });
  await submit(requester, '#attachments button[type=submit]');
  expect(await textOf(requester, '.notice.error')).toContain('The file is not what its type says');
  // Without the session's token the post is refused before anything is read.
  const forged = await requester.request.post(`${sys.baseUrl}/requests/${id}/attachments`, {
    multipart: { file: { name: 'x.pdf', mimeType: 'application/pdf', buffer: pdf } },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  expect(await sys.db.prisma.attachment.count({ where: { noticeId: id } })).toBe(1);

  const france = await browser.person();
  await signIn(france, sys.baseUrl, fr, 'fr');
  await france.goto(`${sys.baseUrl}/requests/${id}`);
  expect(await textOf(france, '#attachments')).toContain('décision du tribunal.pdf');
  await france.setInputFiles('#attachment-file', { name: 'registre.png', mimeType: 'image/png', buffer: png });
  await submit(france, '#attachments button[type=submit]');
  expect(await textOf(france, '#attachments')).toContain('registre.png');
  expect(await seriousViolations(france)).toEqual([]);

  const spain = await browser.person();
  await signIn(spain, sys.baseUrl, es, 'ar');
  await spain.goto(`${sys.baseUrl}/requests/${id}`);
  const seen = await textOf(spain, '#attachments');
  expect(seen).toContain('décision du tribunal.pdf');
  expect(seen).not.toContain('registre.png');
  const theirs = (await sys.db.prisma.attachment.findFirst({ where: { noticeId: id, uploaderCountry: 'FR' } }))!.id;
  expect((await spain.goto(`${sys.baseUrl}/requests/${id}/attachments/${theirs}`))!.status()).toBe(404);
});
