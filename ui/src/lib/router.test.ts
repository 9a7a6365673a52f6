import { describe, expect, it } from 'vitest';
import { kindHref, parseHash, routeHref } from './router.svelte';

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
});
