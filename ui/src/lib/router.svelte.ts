/**
 * A small hash router: `#/` home, `#/kind/<kind>` a list, `#/kind/<kind>/<id>` a record,
 * `#/exchange[/<tab>]` the Exchange screen (export, import, conflicts, keys) and
 * `#/conflicts/<id>` one conflict inside it, `#/settings` the settings, and `#/record/<id>`
 * any record by id alone (a rendered body's wiki links: the app looks up its kind and goes on
 * to `#/kind/<kind>/<id>`), `#/report[/<id>]` a printable report (the learning agenda's, or a
 * session's).
 * Hash routes work from Tauri's custom protocol and a static `dist/` without server help.
 */
import { isKind, type Kind } from './kinds';

/** The sections of the Exchange screen, in tab order. */
export const EXCHANGE_TABS = ['export', 'import', 'conflicts', 'keys', 'files'] as const;
export type ExchangeTab = (typeof EXCHANGE_TABS)[number];

function isExchangeTab(value: string): value is ExchangeTab {
  return (EXCHANGE_TABS as readonly string[]).includes(value);
}

export type Route =
  | { name: 'home' }
  | { name: 'kind'; kind: Kind; id: string | null }
  | { name: 'exchange'; tab: ExchangeTab; conflict: string | null }
  | { name: 'settings' }
  | { name: 'monitoring' }
  | { name: 'record'; id: string }
  | { name: 'report'; id: string | null }
  | { name: 'notFound'; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (path === '') return { name: 'home' };
  const parts = path.split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts[0] === 'kind' && parts[1] !== undefined && isKind(parts[1]) && parts.length <= 3) {
    const id = parts[2];
    return { name: 'kind', kind: parts[1], id: id ? id : null };
  }
  if (parts[0] === 'exchange' && parts.length <= 2) {
    const tab = parts[1] ?? 'export';
    if (isExchangeTab(tab)) return { name: 'exchange', tab, conflict: null };
  }
  if (parts[0] === 'settings' && parts.length === 1) return { name: 'settings' };
  if (parts[0] === 'monitoring' && parts.length === 1) return { name: 'monitoring' };
  if (parts[0] === 'record' && parts.length === 2 && parts[1]) return { name: 'record', id: parts[1] };
  if (parts[0] === 'report' && parts.length <= 2) return { name: 'report', id: parts[1] ? parts[1] : null };
  if (parts[0] === 'conflicts' && parts.length <= 2) {
    const id = parts[1];
    return { name: 'exchange', tab: 'conflicts', conflict: id ? id : null };
  }
  return { name: 'notFound', path: '/' + path };
}

export function homeHref(): string {
  return '#/';
}

export function kindHref(kind: string, id?: string | null): string {
  const base = `#/kind/${encodeURIComponent(kind)}`;
  return id ? `${base}/${encodeURIComponent(id)}` : base;
}

/** The Exchange screen at one of its tabs (`#/exchange` is the export tab). */
export function exchangeHref(tab: ExchangeTab = 'export'): string {
  return tab === 'export' ? '#/exchange' : `#/exchange/${tab}`;
}

/** A printable report: a session's (`id`) or the learning agenda's. */
export function reportHref(id: string | null = null): string {
  return id ? `#/report/${encodeURIComponent(id)}` : '#/report';
}

export function settingsHref(): string {
  return '#/settings';
}

/** The monitoring dashboard (`#/monitoring`). */
export function monitoringHref(): string {
  return '#/monitoring';
}

/** The start of a `#/record/<id>` href (insisst-core's `RECORD_HREF_PREFIX`). */
export const RECORD_PREFIX = '#/record/';

/** A record by id alone, whatever its kind (`#/record/<id>`, as rendered wiki links are). */
export function recordHref(id: string): string {
  return `${RECORD_PREFIX}${encodeURIComponent(id)}`;
}

/** One conflict, shown in the Exchange screen's conflicts tab. */
export function conflictHref(id: string): string {
  return `#/conflicts/${encodeURIComponent(id)}`;
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'home':
      return homeHref();
    case 'kind':
      return kindHref(route.kind, route.id);
    case 'exchange':
      return route.conflict ? conflictHref(route.conflict) : exchangeHref(route.tab);
    case 'settings':
      return settingsHref();
    case 'monitoring':
      return monitoringHref();
    case 'record':
      return recordHref(route.id);
    case 'report':
      return reportHref(route.id);
    case 'notFound':
      return '#' + route.path;
  }
}

class Router {
  /** The current route, reactive. */
  route = $state<Route>({ name: 'home' });

  /** Follow `location.hash` from now on; returns the function that stops listening. */
  start(): () => void {
    const sync = () => {
      this.route = parseHash(window.location.hash);
    };
    sync();
    window.addEventListener('hashchange', sync);
    return () => window.removeEventListener('hashchange', sync);
  }

  /** Go to a route (or an `#/…` href). Updates `route` at once, not only on `hashchange`. */
  navigate(to: Route | string): void {
    const href = typeof to === 'string' ? to : routeHref(to);
    this.route = parseHash(href);
    if (window.location.hash !== href) window.location.hash = href;
  }

  /** Go to a route in place of the current one (no new history entry: Back skips it). */
  replace(to: Route | string): void {
    const href = typeof to === 'string' ? to : routeHref(to);
    this.route = parseHash(href);
    // replaceState fires no `hashchange`; `route` is already set.
    if (window.location.hash !== href) window.history.replaceState(window.history.state, '', href);
  }
}

export const router = new Router();
