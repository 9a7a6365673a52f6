import { en, type MessageKey, type Messages, type PluralBase } from './en';
import { catalogues, localeState, messagesFor, type Locale } from './locale.svelte';

export type { MessageKey, Messages, Locale, PluralBase };

/** `'Hello {name}, {count}'` → `'name' | 'count'`. */
type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | ParamNames<Rest>
  : never;

/** The params a message needs: none (argument omitted) or exactly its placeholders. */
export type ParamsOf<K extends MessageKey> = [ParamNames<(typeof en)[K]>] extends [never]
  ? [params?: Record<string, never>]
  : [params: Record<ParamNames<(typeof en)[K]>, string | number>];

/**
 * Translate `key` into the current locale, filling `{placeholders}` from `params`.
 * Falls back to English for a key a language file lacks at run time.
 */
export function t<K extends MessageKey>(key: K, ...args: ParamsOf<K>): string {
  return translate(key, args[0] as Record<string, string | number> | undefined);
}

/** Untyped-params form of `t()`, for keys computed at run time. */
export function translate(key: MessageKey, params?: Record<string, string | number>): string {
  const template = messagesFor(localeState.current)[key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

const pluralRules = new Map<string, Intl.PluralRules>();

/**
 * The plural form of `base` for `count` in the current locale (`{count}` is filled in):
 * `plural('list.total', 1)` → `1 record`. Uses the CLDR category (`one`, `few`, `many`…)
 * when the language file has it, else `other`.
 */
export function plural(base: PluralBase, count: number, params: Record<string, string | number> = {}): string {
  const locale = localeState.current;
  let rules = pluralRules.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    pluralRules.set(locale, rules);
  }
  const messages = messagesFor(locale) as Readonly<Record<string, string | undefined>>;
  const other: MessageKey = `${base}.other`;
  const template = messages[`${base}.${rules.select(count)}`] ?? messages[other] ?? en[other];
  const all: Record<string, string | number> = { ...params, count };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in all ? String(all[name]) : whole));
}

/** Whether `key` is a known message key (for keys built at run time, e.g. field names). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export function setLocale(locale: Locale): void {
  localeState.current = locale;
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

export function getLocale(): Locale {
  return localeState.current;
}

export function availableLocales(): Locale[] {
  return Object.keys(catalogues) as Locale[];
}

/** `snake_case_name` → `Snake case name`: the fallback label for unknown fields and values. */
export function humanise(name: string): string {
  const spaced = name.replace(/[_-]+/g, ' ').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A record field's label: its message if there is one, else the humanised name. */
export function fieldLabel(name: string): string {
  const key = `field.${name}`;
  return hasMessage(key) ? translate(key) : humanise(name);
}

/** An enum value's label (status, kinds of session…), else the humanised value. */
export function valueLabel(value: string): string {
  const key = `value.${value}`;
  return hasMessage(key) ? translate(key) : humanise(value);
}
