import { en, type MessageKey, type Messages } from './en';

/** Languages with a messages file. Add a file (typed `Messages`) and list it here. */
export const catalogues = { en } satisfies Record<string, Messages>;
export type Locale = keyof typeof catalogues;

/** The current locale, reactive: components using `t()` re-render when it changes. */
export const localeState = $state<{ current: Locale }>({ current: 'en' });

export function messagesFor(locale: Locale): Messages {
  return catalogues[locale];
}

export type { MessageKey, Messages };
