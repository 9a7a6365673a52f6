import { describe, expect, it } from 'vitest';
import { conflictHref, exchangeHref, kindHref, parseHash, recordHref, routeHref, router } from './router.svelte';

describe('router', () => {
  it('parses the hash routes', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/kind/note')).toEqual({ name: 'kind', kind: 'note', id: null });
    expect(parseHash('#/kind/note/01937a-b')).toEqual({ name: 'kind', kind: 'note', id: '01937a-b' });
    expect(parseHash('#/kind/nope')).toEqual({ name: 'notFound', path: '/kind/nope' });
    expect(parseHash('#/elsewhere')).toEqual({ name: 'notFound', path: '/elsewhere' });
  });

  it('round-trips hrefs', () => {
    expect(kindHref('session', 'a b')).toBe('#/kind/session/a%20b');
    expect(parseHash(kindHref('session', 'a b'))).toEqual({ name: 'kind', kind: 'session', id: 'a b' });
    expect(routeHref({ name: 'kind', kind: 'org', id: null })).toBe('#/kind/org');
    expect(routeHref({ name: 'home' })).toBe('#/');
  });

  it('parses and builds the Exchange routes', () => {
    expect(parseHash('#/exchange')).toEqual({ name: 'exchange', tab: 'export', conflict: null });
    expect(parseHash('#/exchange/import')).toEqual({ name: 'exchange', tab: 'import', conflict: null });
    expect(parseHash('#/exchange/keys/')).toEqual({ name: 'exchange', tab: 'keys', conflict: null });
    expect(parseHash('#/exchange/nope')).toEqual({ name: 'notFound', path: '/exchange/nope' });
    expect(parseHash('#/conflicts')).toEqual({ name: 'exchange', tab: 'conflicts', conflict: null });
    expect(parseHash('#/conflicts/r%201')).toEqual({ name: 'exchange', tab: 'conflicts', conflict: 'r 1' });
    expect(parseHash('#/conflicts/a/b')).toEqual({ name: 'notFound', path: '/conflicts/a/b' });
    expect(exchangeHref()).toBe('#/exchange');
    expect(exchangeHref('conflicts')).toBe('#/exchange/conflicts');
    expect(conflictHref('r 1')).toBe('#/conflicts/r%201');
    expect(routeHref({ name: 'exchange', tab: 'conflicts', conflict: 'x' })).toBe('#/conflicts/x');
    expect(routeHref({ name: 'exchange', tab: 'import', conflict: null })).toBe('#/exchange/import');
    expect(parseHash(routeHref({ name: 'exchange', tab: 'keys', conflict: null }))).toEqual({
      name: 'exchange',
      tab: 'keys',
      conflict: null,
    });
  });

  it('parses and builds the record route (a record by id, whatever its kind)', () => {
    expect(parseHash('#/record/0190a1b2-c3d4')).toEqual({ name: 'record', id: '0190a1b2-c3d4' });
    expect(parseHash('#/record/a%2Fb')).toEqual({ name: 'record', id: 'a/b' });
    expect(parseHash('#/record')).toEqual({ name: 'notFound', path: '/record' });
    expect(parseHash('#/record/a/b')).toEqual({ name: 'notFound', path: '/record/a/b' });
    expect(recordHref('a b')).toBe('#/record/a%20b');
    expect(routeHref({ name: 'record', id: 'x' })).toBe('#/record/x');
  });

  it('replaces the current route without a new history entry', () => {
    window.location.hash = '#/kind/note';
    const before = window.history.length;
    router.replace(kindHref('note', 'n1'));
    expect(router.route).toEqual({ name: 'kind', kind: 'note', id: 'n1' });
    expect(window.location.hash).toBe('#/kind/note/n1');
    expect(window.history.length).toBe(before);
  });
});
