/** The page shell: head, the header with the reader's menu and language, and the main content. */
import type { Role } from '../domain/model';
import type { Ctx } from './context';
import { html, type Content, type Html } from './html';
import { LANGS, type Key } from './i18n';

const MENU: Record<Role, [Key, string][]> = {
  NCB: [
    ['nav.work', '/work'],
    ['nav.inbox', '/inbox'],
    ['nav.myRequests', '/requests'],
    ['nav.newRequest', '/requests/new'],
    ['nav.notifications', '/notifications'],
  ],
  REVIEWER: [
    ['nav.work', '/work'],
    ['nav.queue', '/review'],
    ['nav.requests', '/requests'],
    ['nav.report', '/report'],
  ],
  CCF: [
    ['nav.work', '/work'],
    ['nav.requests', '/requests'],
  ],
  ADMIN: [
    ['nav.work', '/work'],
    ['nav.users', '/admin/users'],
    ['nav.keys', '/admin/keys'],
    ['nav.pilot', '/admin/pilot'],
    ['nav.webhooks', '/admin/webhooks'],
    ['nav.signInPolicy', '/admin/sign-in'],
    ['nav.report', '/report'],
  ],
};

/** The hidden field every form carries. */
export const csrfField = (ctx: Ctx) => html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}" />`;

function languageSwitch(ctx: Ctx): Html {
  return html`<form method="post" action="/preferences" class="lang">
    ${csrfField(ctx)}<input type="hidden" name="return" value="${ctx.path}" />
    <label for="lang-switch">${ctx.t('prefs.language')}</label>
    <select id="lang-switch" name="language">
      ${LANGS.map((l) => html`<option value="${l.code}" lang="${l.code}" ${l.code === ctx.lang ? 'selected' : ''}>${l.name}</option>`)}
    </select>
    <button type="submit">${ctx.t('prefs.apply')}</button>
  </form>`;
}

/** On every page of those who read requests: a GET form, so a search is a link to share or go back to. */
const searchBox = (ctx: Ctx): Html =>
  html`<form method="get" action="/search" role="search" class="search" aria-label="${ctx.t('search.label')}">
    <label for="search-box" class="visually-hidden">${ctx.t('search.label')}</label>
    <input id="search-box" name="q" type="search" maxlength="200" dir="auto" placeholder="${ctx.t('search.label')}" />
    <button type="submit">${ctx.t('search.button')}</button>
  </form>`;

/** The count beside "Notifications": its number shown, its words read out. */
const unreadBadge = (ctx: Ctx): Content =>
  ctx.unread
    ? html` <span class="badge" aria-hidden="true">${ctx.fmt.number(ctx.unread)}</span
        ><span class="visually-hidden">(${ctx.t('notifications.unread', { n: ctx.unread })})</span>`
    : '';

function header(ctx: Ctx): Html {
  const p = ctx.principal;
  const current = (href: string) => ctx.path === href || (href !== '/requests' && ctx.path.startsWith(`${href}/`));
  return html`<header class="top">
    <a class="brand" href="/">${ctx.t('app.name')}</a>
    ${
      p
        ? html`<nav aria-label="${ctx.t('nav.label')}">
              <ul>
                ${MENU[p.role].map(
                  ([key, href]) =>
                    html`<li>
                      <a href="${href}" ${current(href) ? html`aria-current="page"` : ''}
                        >${ctx.t(key)}${href === '/notifications' ? unreadBadge(ctx) : ''}</a
                      >
                    </li>`,
                )}
              </ul>
            </nav>
            ${p.role === 'ADMIN' ? '' : searchBox(ctx)}
            <div class="who">
              <span>${p.name} · ${ctx.label('role', p.role)}${p.country ? ` · ${ctx.fmt.country(p.country)}` : ''}</span>
              <a href="/preferences">${ctx.t('nav.preferences')}</a>
              <a href="/passkeys">${ctx.t('nav.passkeys')}</a>
              <form method="post" action="/sign-out">${csrfField(ctx)}<button type="submit">${ctx.t('nav.signOut')}</button></form>
            </div>`
        : ''
    }
    ${languageSwitch(ctx)}
  </header>`;
}

export interface PageOptions {
  title: string;
  body: Content;
  /** A line above the content: what just happened, or why it did not. */
  notice?: { kind: 'ok' | 'error'; text: string };
}

export function page(ctx: Ctx, o: PageOptions): string {
  return `<!doctype html>${
    html`<html lang="${ctx.lang}" dir="${ctx.dir}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${o.title} · ${ctx.t('app.name')}</title>
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">${ctx.t('nav.skip')}</a>
        ${header(ctx)}
        <main id="main">
          ${o.notice ? html`<p class="notice ${o.notice.kind}" role="${o.notice.kind === 'error' ? 'alert' : 'status'}">${o.notice.text}</p>` : ''}
          ${o.body}
        </main>
      </body>
    </html>`.value
  }`;
}
