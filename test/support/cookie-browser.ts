/**
 * A browser's part in HTTP for tests that walk redirects across sites: fetch with a cookie jar
 * (per host and path, as a browser keeps them, ports not told apart) and redirects followed one by
 * one, so each hop can be looked at.
 */

interface Cookie {
  value: string;
  path: string;
}

export interface Hop {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

export class CookieBrowser {
  private readonly jar = new Map<string, Map<string, Cookie>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).hostname)?.get(name)?.value;
  }

  /** One request, no redirect followed. */
  async request(url: string, o: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const u = new URL(url);
    const cookies = [...(this.jar.get(u.hostname) ?? new Map<string, Cookie>()).entries()]
      .filter(([, c]) => u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`);
    const res = await fetch(u, {
      method: o.method ?? (o.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        ...(cookies.length ? { cookie: cookies.join('; ') } : {}),
        ...(o.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        'accept-language': 'en',
      },
      body: o.form ? new URLSearchParams(o.form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) this.keep(u, line);
    return { url: u.href, status: res.status, headers: res.headers, body: await res.text() };
  }

  /** A request and the redirects after it (and a page's immediate `<meta http-equiv="refresh">`), every hop in order. */
  async follow(url: string, o: { method?: string; form?: Record<string, string> } = {}, limit = 20): Promise<Hop[]> {
    const hops: Hop[] = [];
    let hop = await this.request(url, o);
    for (;;) {
      hops.push(hop);
      if (hops.length > limit) throw new Error(`more than ${limit} redirects from ${url}`);
      const location = hop.headers.get('location');
      const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(hop.body)?.[1];
      const to =
        hop.status >= 300 && hop.status < 400 && location ? location : hop.status === 200 && refresh ? unescape(refresh) : undefined;
      if (!to) return hops;
      hop = await this.request(new URL(to, hop.url).href);
    }
  }

  private keep(url: URL, line: string): void {
    const [pair, ...attributes] = line.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const attr = (n: string) => attributes.find((a) => a.toLowerCase().startsWith(`${n}=`))?.slice(n.length + 1);
    const path = attr('path') ?? '/';
    const expires = attr('expires');
    const gone = attr('max-age') === '0' || (expires !== undefined && new Date(expires).getTime() <= Date.now());
    const host = this.jar.get(url.hostname) ?? new Map<string, Cookie>();
    this.jar.set(url.hostname, host);
    if (gone) host.delete(name);
    else host.set(name, { value, path });
  }
}

const unescape = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');
