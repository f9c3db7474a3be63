/**
 * The console's tests: Debian's Chromium driven by playwright-core (a fresh profile per browser,
 * the flags a machine without internet needs, and the checks every page passes: no serious or
 * critical axe-core violation, nothing refused by the Content-Security-Policy), and the console
 * over plain HTTP, as a browser without script would use it.
 */
import fs from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { freshIban, type TestSystem } from './system';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Without these, Chromium's own connections to the (closed) network stall it. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  /** A new browser context (its own cookies and storage), as a new person at another machine. */
  person(o?: { locale?: string; timezoneId?: string }): Promise<Page>;
  close(): Promise<void>;
}

/** One Chromium per test file; playwright starts it on a fresh profile (its own --user-data-dir in the temp dir). */
export async function startBrowser(): Promise<Browser> {
  const chromiumProcess = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  return {
    async person(o = {}) {
      const context = await chromiumProcess.newContext({
        locale: o.locale ?? 'en-GB',
        timezoneId: o.timezoneId ?? 'Europe/Paris',
        viewport: { width: 1280, height: 900 },
      });
      const page = await context.newPage();
      watchPolicy(page);
      return page;
    },
    close: () => chromiumProcess.close(),
  };
}

/** Whatever the Content-Security-Policy refused on a page (should stay empty). */
const refusals = new WeakMap<Page, string[]>();
function watchPolicy(page: Page): void {
  const seen: string[] = [];
  refusals.set(page, seen);
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
}
export const policyRefusals = (page: Page) => refusals.get(page) ?? [];

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is now. axe is evaluated through
 * the DevTools protocol, which the page's CSP does not govern (an injected <script> would be refused).
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const page = globalThis as unknown as { axe: { run: (ctx: unknown, o: object) => Promise<{ violations: any[] }> }; document: unknown };
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n: { target: string[] }) => n.target.join(' ')).slice(0, 3),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

export const fieldId = (name: string) => `#f-${name.replace(/[^\w-]/g, '-')}`;

/** Signs in at the console, first choosing the language when given. */
export async function signIn(page: Page, baseUrl: string, key: string, language?: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  if (language) {
    await page.selectOption('#lang-switch', language);
    await Promise.all([page.waitForURL(/\/sign-in/), page.click('form.lang button')]);
  }
  await page.fill('#f-key', key);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/sign-in')), page.click('main form button[type=submit]')]);
}

/**
 * The check page of an action that cannot be undone: what it restates, then Confirm is pressed
 * and the page it leads to is waited for.
 */
export async function confirmStep(page: Page): Promise<string> {
  await page.waitForSelector('#confirm-form');
  const restated = (await page.locator('main').innerText()).trim();
  await Promise.all([page.waitForNavigation(), page.click('#confirm-form button[name=_confirm]')]);
  return restated;
}

/** Fills every field of the new request form but its recipients (a diffusion, an account sought). */
export async function fillNewRequest(page: Page, familyName: string): Promise<void> {
  await page.check(`${fieldId('kind')}-1`); // DIFFUSION
  await page.check(`${fieldId('purposes')}-0`);
  await page.fill(fieldId('subject.familyName'), familyName);
  await page.fill(fieldId('subject.givenNames'), 'MARIO');
  await page.fill(fieldId('subject.dateOfBirth'), '1961-04-02');
  await page.selectOption(fieldId('offence.category'), 'ORGANIZED_CRIME');
  await page.fill(fieldId('offence.description'), 'Laundering of proceeds of extortion through front companies');
  await page.fill(fieldId('offence.maxPenaltyYears'), '12');
  await page.selectOption(fieldId('offence.legalBasis.type'), 'INVESTIGATION');
  await page.fill(fieldId('offence.legalBasis.reference'), 'RGNR 1234/2024');
  await page.fill(fieldId('offence.legalBasis.authority'), 'Procura di Palermo');
  await page.fill(fieldId('offence.legalBasis.date'), '2024-11-05');
  await page.fill(fieldId('offence.assetLink'), 'Accounts held through relatives received the proceeds');
  await page.selectOption(fieldId('assetsSought.0.category'), 'BANK_ACCOUNT');
  await page.fill(fieldId('assetsSought.0.description'), 'Accounts held abroad');
  await page.selectOption(fieldId('assetsSought.0.identifierType'), 'iban');
  await page.fill(fieldId('assetsSought.0.identifiers'), freshIban());
  await page.fill(fieldId('assetsSought.0.estimatedValue.amount'), '2500000');
  await page.fill(fieldId('assetsSought.0.estimatedValue.currency'), 'eur');
}

/** The message shown next to a field (empty when none). */
export async function fieldError(page: Page, name: string): Promise<string> {
  const error = page.locator(`${fieldId(name)}-error`);
  return (await error.count()) ? (await error.innerText()).trim() : '';
}

/** Submits the form holding this button and waits for the page that answers. */
export async function submit(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForLoadState('domcontentloaded'), page.waitForEvent('framenavigated'), page.click(button)]);
}

// --- the console over HTTP (no browser): cookies kept, forms posted with their CSRF token

export interface ConsoleReply {
  status: number;
  html: string;
  headers: Headers;
  location: string | null;
}

/** One person at the console, as a browser without script would be: a cookie jar and form posts. */
export function consoleVisitor(sys: TestSystem) {
  const jar = new Map<string, string>();
  let csrf = '';
  async function request(method: string, path: string, form?: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const body = form
      ? new URLSearchParams(
          Object.entries(form).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
        )
      : undefined;
    const res = await fetch(`${sys.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body,
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      if (/Expires=Thu, 01 Jan 1970/i.test(set)) jar.delete(name);
      else jar.set(name, pair.slice(pair.indexOf('=') + 1));
    }
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) csrf = token;
    return { status: res.status, html, headers: res.headers, location: res.headers.get('location') } satisfies ConsoleReply;
  }
  return {
    jar,
    get: (path: string, headers?: Record<string, string>) => request('GET', path, undefined, headers),
    /** Posts a form with the CSRF token of the last page seen (fetch a page first). */
    post: (path: string, form: Record<string, string | string[]>, headers?: Record<string, string>) =>
      request('POST', path, { _csrf: csrf, ...form }, headers),
    /** Posts exactly this form: no token is added. */
    postRaw: (path: string, form: Record<string, string | string[]>, headers?: Record<string, string>) =>
      request('POST', path, form, headers),
    async signIn(key: string): Promise<ConsoleReply> {
      await request('GET', '/sign-in');
      const signedIn = await request('POST', '/sign-in', { _csrf: csrf, key });
      if (signedIn.status === 303) await request('GET', '/preferences');
      return signedIn;
    },
  };
}

/** The text of an element with its white space folded, as a reader sees it. */
export async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
}
