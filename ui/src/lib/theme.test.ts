import { beforeEach, describe, expect, it } from 'vitest';
import { theme, THEME_KEY } from './theme.svelte';

beforeEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

describe('theme', () => {
  it('follows the system until a choice is made, then applies and remembers it', () => {
    theme.load();
    expect(theme.current).toBe('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();

    theme.set('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');

    theme.set('light');
    expect(document.documentElement.dataset.theme).toBe('light');

    theme.set('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
  });

  it('restores a stored choice and ignores a bad one', () => {
    localStorage.setItem(THEME_KEY, 'dark');
    theme.load();
    expect(theme.current).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');

    localStorage.setItem(THEME_KEY, 'purple');
    theme.load();
    expect(theme.current).toBe('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});
