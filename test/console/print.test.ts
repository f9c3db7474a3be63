/**
 * A request on paper from the console, in Chromium: the request's page links to its print view and
 * its PDF extract; the print view, printed to PDF by Chromium and read back with pdftotext, names
 * the case number, the reference and the handling code on every page, in English and in Arabic
 * (right to left); free text keeps its own direction; axe-core finds nothing serious.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshRequest, publish } from '../support/helpers';
import { type Browser, policyRefusals, seriousViolations, signIn, startBrowser } from '../support/browser';
import { startTestSystem, type TestSystem } from '../support/system';

let sys: TestSystem;
let browser: Browser;
let it_: string;
let fr: string;
let n: { id: string; caseNumber: string; reference: string; subject: { familyName: string } };
let dir: string;

beforeAll(async () => {
  [sys, browser] = await Promise.all([startTestSystem(), startBrowser()]);
  await sys.pilot(['IT', 'FR', 'ES']);
  let reviewer: string;
  [it_, fr, reviewer] = await sys.keys('IT', 'FR', 'REVIEWER');
  // Enough assets with long descriptions that the request runs over several printed pages.
  const assets = Array.from({ length: 10 }, (_, i) => ({
    category: 'REAL_ESTATE',
    description: `Apartment ${i + 1} registered to a brother of the subject. `.repeat(8),
    estimatedValue: { amount: 100000 * (i + 1), currency: 'EUR' },
  }));
  const body = freshRequest({ recipients: ['FR'], handlingCode: 'H2' });
  n = await publish(sys, it_, reviewer, { ...body, assetsSought: [...body.assetsSought, ...assets] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'print-'));
});
afterAll(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await browser?.close();
  await sys?.stop();
});

/** The pages' text of a PDF, as pdftotext reads it. */
function pagesOf(pdf: Buffer): string[] {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
    .split('\f')
    .filter((p) => p.trim() !== '');
}

test('the request page leads to the print view; every printed page names the case, its reference and its handling code', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, it_);
  await page.goto(`${sys.baseUrl}/requests/${n.id}`);
  await Promise.all([page.waitForURL(/\/print$/), page.click('.print-links a[href$="/print"]')]);
  expect(await page.locator('h1').innerText()).toContain('Extract of the request');
  // Free text keeps its own direction, whatever the page's.
  expect(await page.locator('[dir="auto"]', { hasText: n.subject.familyName }).count()).toBeGreaterThan(0);
  expect(await seriousViolations(page)).toEqual([]);

  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('.print-tools').isVisible()).toBe(false);
  const pages = pagesOf(await page.pdf({ format: 'A4' }));
  expect(pages.length).toBeGreaterThan(1);
  for (const text of pages) {
    expect(text).toContain(n.caseNumber);
    expect(text).toContain(n.reference);
    expect(text).toContain('H2 – not to be passed on without permission');
  }
  expect(pages.join('\n')).toContain('Apartment 10 registered');
  expect(policyRefusals(page)).toEqual([]);

  // The PDF extract, from the console's session.
  const extract = await page.request.get(`${sys.baseUrl}/requests/${n.id}/extract.pdf`);
  expect(extract.status()).toBe(200);
  expect(extract.headers()['content-type']).toBe('application/pdf');
  expect(pagesOf(await extract.body())[0]).toContain(n.caseNumber);
});

test('in Arabic, right to left, to a recipient: the same head and foot on every page', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, fr, 'ar');
  await page.goto(`${sys.baseUrl}/requests/${n.id}/print`);
  expect(await page.getAttribute('html', 'dir')).toBe('rtl');
  expect(await page.locator('h1').innerText()).toContain('مستخرج من الطلب');
  expect(await seriousViolations(page)).toEqual([]);
  const pages = pagesOf(await page.pdf({ format: 'A4' }));
  expect(pages.length).toBeGreaterThan(1);
  for (const text of pages) {
    expect(text).toContain(n.caseNumber);
    expect(text).toContain(n.reference);
    expect(text).toContain('H2');
  }
});

test('a request the reader may not know has no print view', async () => {
  const page = await browser.person();
  await signIn(page, sys.baseUrl, await sys.key('NCB', 'ES'));
  expect((await page.goto(`${sys.baseUrl}/requests/${n.id}/print`))!.status()).toBe(404);
  expect((await page.request.get(`${sys.baseUrl}/requests/${n.id}/extract.pdf`)).status()).toBe(404);
});
