/**
 * The colour theme: the system's (prefers-color-scheme) unless the person chose light or
 * dark in Settings. The choice is kept in localStorage and applied as `data-theme` on
 * <html>, which app.css reads; `system` removes the attribute and the media query decides.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_KEY = 'insisst.theme';

function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

function stored(): Theme {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return isTheme(value) ? value : 'system';
  } catch {
    return 'system';
  }
}

function apply(theme: Theme): void {
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
}

class ThemeState {
  /** The person's choice, reactive. */
  current = $state<Theme>('system');

  /** Read the stored choice and apply it (at start). */
  load(): void {
    this.current = stored();
    apply(this.current);
  }

  set(theme: Theme): void {
    this.current = theme;
    apply(theme);
    try {
      if (theme === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, theme);
    } catch {
      /* private mode or full storage: the choice lasts until the window closes */
    }
  }
}

export const theme = new ThemeState();
