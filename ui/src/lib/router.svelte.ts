/**
 * A small hash router: `#/` home, `#/kind/<kind>` a list, `#/kind/<kind>/<id>` a record.
 * Hash routes work from Tauri's custom protocol and a static `dist/` without server help.
 */
import { isKind, type Kind } from './kinds';

export type Route =
  | { name: 'home' }
  | { name: 'kind'; kind: Kind; id: string | null }
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
  return { name: 'notFound', path: '/' + path };
}

export function homeHref(): string {
  return '#/';
}

export function kindHref(kind: string, id?: string | null): string {
  const base = `#/kind/${encodeURIComponent(kind)}`;
  return id ? `${base}/${encodeURIComponent(id)}` : base;
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'home':
      return homeHref();
    case 'kind':
      return kindHref(route.kind, route.id);
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
}

export const router = new Router();
