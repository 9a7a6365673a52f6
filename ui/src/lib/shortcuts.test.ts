import { describe, expect, it } from 'vitest';
import { GO_TIMEOUT, isTyping, ShortcutReader } from './shortcuts';

function key(key: string, init: KeyboardEventInit = {}, target?: EventTarget): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, ...init });
  if (target) Object.defineProperty(event, 'target', { value: target });
  return event;
}

describe('ShortcutReader', () => {
  it('reads Ctrl+K, Ctrl+N, Ctrl+Shift+N and Ctrl+, (⌘ too)', () => {
    const r = new ShortcutReader();
    expect(r.read(key('k', { ctrlKey: true }))).toEqual({ type: 'search' });
    expect(r.read(key('n', { ctrlKey: true }))).toEqual({ type: 'new', kind: 'note' });
    expect(r.read(key('N', { ctrlKey: true, shiftKey: true }))).toEqual({ type: 'new', kind: 'session' });
    expect(r.read(key('n', { metaKey: true }))).toEqual({ type: 'new', kind: 'note' });
    expect(r.read(key(',', { ctrlKey: true }))).toMatchObject({ type: 'go', href: '#/settings' });
    expect(r.read(key('x', { ctrlKey: true }))).toBeNull();
    expect(r.read(key('k', { ctrlKey: true, altKey: true }))).toBeNull();
  });

  it('goes to a place with g then its key', () => {
    const r = new ShortcutReader();
    const cases: Array<[string, string]> = [
      ['h', '#/'],
      ['a', '#/kind/question'],
      ['s', '#/kind/session'],
      ['n', '#/kind/note'],
      ['c', '#/kind/contact'],
      ['o', '#/kind/org'],
      ['m', '#/kind/method'],
      ['e', '#/exchange'],
      [',', '#/settings'],
      ['r', '#/kind/review'],
    ];
    for (const [second, href] of cases) {
      expect(r.read(key('g'))).toBeNull();
      expect(r.pending).toBe(true);
      expect(r.read(key(second))).toMatchObject({ type: 'go', href });
      expect(r.pending).toBe(false);
    }
    // A letter alone does nothing; g then an unknown key neither, and g is then forgotten.
    expect(r.read(key('s'))).toBeNull();
    r.read(key('g'));
    expect(r.read(key('z'))).toBeNull();
    expect(r.read(key('s'))).toBeNull();
  });

  it('forgets g after the timeout, and ignores Shift on its own', () => {
    let now = 1_000;
    const r = new ShortcutReader(() => now);
    r.read(key('g'));
    now += GO_TIMEOUT + 1;
    expect(r.read(key('n'))).toBeNull();
    r.read(key('g'));
    expect(r.read(key('Shift', { shiftKey: true }))).toBeNull();
    expect(r.read(key('?', { shiftKey: true }))).toBeNull(); // `g ?` is no place
    expect(r.read(key('?', { shiftKey: true }))).toEqual({ type: 'help' });
  });

  it('leaves plain keys to fields people type in, but not Ctrl combinations', () => {
    const input = document.createElement('input');
    const textarea = document.createElement('textarea');
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' });
    const r = new ShortcutReader();
    expect(r.read(key('g', {}, input))).toBeNull();
    expect(r.read(key('s', {}, input))).toBeNull();
    expect(r.read(key('?', {}, textarea))).toBeNull();
    expect(r.read(key('n', { ctrlKey: true }, input))).toEqual({ type: 'new', kind: 'note' });
    expect(isTyping(input)).toBe(true);
    expect(isTyping(checkbox)).toBe(false);
    expect(isTyping(document.body)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
