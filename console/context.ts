/** What every page is rendered with: the reader's language, time zone and who they are. */
import type { Response } from 'express';
import type { Principal } from '../services';
import { formatter, type Formatter } from './format';
import { translator, type Lang, type Translate, type Label } from './i18n';

export interface Ctx {
  lang: Lang;
  dir: 'ltr' | 'rtl';
  t: Translate;
  label: Label;
  fmt: Formatter;
  timeZone: string;
  principal?: Principal;
  /** The token this reader's forms carry (CSRF). */
  csrfToken: string;
  /** The path of this page, to come back to after changing the language. */
  path: string;
  /** An NCB's notifications not yet read (the header's count); set on pages an NCB opens. */
  unread?: number;
}

/** The context the console's middleware put on this response. */
export const ctxOf = (res: Response): Ctx => res.locals.ctx as Ctx;

export function makeCtx(o: { lang: Lang; timeZone: string; principal?: Principal; csrfToken: string; path: string }): Ctx {
  const { t, label, dir } = translator(o.lang);
  return { ...o, t, label, dir, fmt: formatter(o.lang, o.timeZone) };
}
