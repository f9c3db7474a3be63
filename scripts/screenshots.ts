/**
 * `npm run screenshots`: the console's main pages in English and Arabic, as PNG files in
 * docs/screenshots/ (the README shows them). Runs the whole system in this process on a fresh
 * embedded database, fills it with a few requests through the API, then photographs each page in
 * Debian's Chromium as the person who uses it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createUserWithKey } from '../records/keys';
import { generateKey } from '../services/auth';
import { PROJECT_ROOT } from '../system/paths';
import { fieldId, signIn, startBrowser } from '../test/support/browser';
import { flaggedRequest, freshRequest, located, sampleRequest } from '../test/support/helpers';
import { expectStatus, run, waitFor } from '../bench/support';
import { startBenchSystem, type BenchSystem } from '../bench/system';

const OUT = path.join(PROJECT_ROOT, 'docs', 'screenshots');

async function person(sys: BenchSystem, name: string, role: 'ADMIN' | 'REVIEWER' | 'NCB' | 'CCF', country?: string) {
  const key = generateKey();
  await createUserWithKey(sys.db.prisma, { name, role, country, key, label: name });
  return key;
}

/** A request about a person of the given name, so that the pages show names a reader expects. */
function about(familyName: string, givenNames: string, dateOfBirth: string, passport: string) {
  const subject = { ...sampleRequest().subject, familyName, givenNames, dateOfBirth, aliases: [] };
  return { subject: { ...subject, identityDocuments: [{ type: 'PASSPORT', number: passport, issuingCountry: 'IT' }] } };
}

async function seed(sys: BenchSystem) {
  const keys = {
    it: await person(sys, 'Giulia Conti', 'NCB', 'IT'),
    fr: await person(sys, 'Marie Dupont', 'NCB', 'FR'),
    es: await person(sys, 'Javier Ruiz', 'NCB', 'ES'),
    ana: await person(sys, 'Ana Lima', 'REVIEWER'),
    admin: await person(sys, 'Omar Haddad', 'ADMIN'),
  };
  const submitted = async (body: Record<string, unknown>) => {
    const { id } = expectStatus(await sys.call('POST', '/v1/notices', keys.it, body), 201, 'submission').body;
    await waitFor('screening', async () => (await sys.call('GET', `/v1/notices/${id}`, keys.it)).body.status === 'UNDER_REVIEW');
    return id as string;
  };
  const published = await submitted(
    freshRequest({ recipients: ['FR', 'ES', 'DE'], ...about('ROSSI', 'MARIO', '1961-04-02', 'YA1234567') }),
  );
  expectStatus(await sys.call('POST', `/v1/notices/${published}/decisions`, keys.ana, { decision: 'APPROVE' }), 200, 'approval');
  const villa = located({
    description: 'Villa on the Cap d’Antibes',
    location: { country: 'FR', address: 'Antibes' },
    estimatedValue: { amount: 4200000, currency: 'EUR' },
    measures: 'FROZEN',
  });
  expectStatus(
    await sys.call('POST', `/v1/notices/${published}/responses`, keys.fr, { outcome: 'ASSETS_LOCATED', final: false, assets: [villa] }),
    201,
    'answer',
  );
  expectStatus(await sys.call('POST', `/v1/notices/${published}/acknowledgement`, keys.es, {}), 200, 'acknowledgement');
  const flagged = await submitted(flaggedRequest(about('BIANCHI', 'LUCA', '1970-09-14', 'YB7654321')));
  expectStatus(await sys.call('POST', `/v1/notices/${flagged}/decisions`, keys.ana, { decision: 'APPROVE' }), 200, 'first approval');
  await submitted(freshRequest(about('ESPOSITO', 'ANNA', '1958-01-23', 'YC2468135')));
  return { keys, published, flagged };
}

async function main() {
  const sys = await startBenchSystem();
  const browser = await startBrowser();
  try {
    const { keys, published, flagged } = await seed(sys);
    // A shot's width is 1280 px, or the one given (a phone's, for the request page).
    const shots: [string, string | undefined, string, number?][] = [
      ['sign-in', undefined, '/sign-in'],
      ['work-requester', keys.it, '/work'],
      ['work-recipient', keys.fr, '/work'],
      ['work-reviewer', keys.ana, '/work'],
      ['inbox', keys.fr, '/inbox'],
      ['answer', keys.fr, `/requests/${published}`],
      ['new-request', keys.it, '/requests/new'],
      ['request', keys.it, `/requests/${published}`],
      ['request-390', keys.it, `/requests/${published}`, 390],
      ['review-queue', keys.ana, '/review'],
      ['four-eyes', keys.ana, `/requests/${flagged}`],
      ['report', keys.admin, '/report'],
      ['users', keys.admin, '/admin/users'],
    ];
    fs.mkdirSync(OUT, { recursive: true });
    for (const lang of ['en', 'ar']) {
      for (const [name, key, url, width = 1280] of shots) {
        const page = await browser.person({ timezoneId: 'Europe/Paris' });
        await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
        if (key) await signIn(page, sys.baseUrl, key, lang);
        else {
          await page.goto(`${sys.baseUrl}/sign-in`);
          await page.selectOption('#lang-switch', lang);
          await Promise.all([page.waitForURL(/sign-in/), page.click('form.lang button')]);
        }
        await page.goto(`${sys.baseUrl}${url}`);
        if (name === 'new-request') await page.click('main form button.primary');
        if (name === 'answer') {
          // The answer form with its first asset being described, its top at the top of the window.
          await page.check(`#act-answer ${fieldId('outcome')}-0`);
          await page.selectOption(fieldId('assets.0.category'), 'REAL_ESTATE');
          await page.fill(fieldId('assets.0.description'), 'Apartment in Menton');
          await page.fill(fieldId('assets.0.estimatedValue.amount'), '650000');
          await page.fill(fieldId('assets.0.estimatedValue.currency'), 'EUR');
          await page.locator('#act-answer').evaluate((e) => e.scrollIntoView());
        }
        await page.screenshot({ path: path.join(OUT, `${lang}-${name}.png`) });
        console.log(`docs/screenshots/${lang}-${name}.png`);
        await page.context().close();
      }
    }
  } finally {
    await browser.close();
    await sys.stop();
  }
}

run(main);
