/**
 * The sidebar's destinations, in order, with their go-to keys (`g` then the key). The record
 * kinds people rarely open on their own (reviews, evaluations, attachments) sit in a "More"
 * group; they are also reached from their parents' links.
 */
import type { MessageKey } from './i18n';
import type { Kind } from './kinds';
import { exchangeHref, homeHref, kindHref, settingsHref, type Route } from './router.svelte';
import { monitoringHref } from './router.svelte';

export interface NavItem {
  /** `home`, `exchange`, `settings`, or a record kind. */
  id: string;
  label: MessageKey;
  href: string;
  /** The key pressed after `g`; none for the "More" group. */
  goKey: string | null;
  kind: Kind | null;
}

function kindItem(kind: Kind, label: MessageKey, goKey: string | null): NavItem {
  return { id: kind, label, href: kindHref(kind), goKey, kind };
}

export const NAV_MAIN: readonly NavItem[] = [
  { id: 'home', label: 'nav.home', href: homeHref(), goKey: 'h', kind: null },
  kindItem('question', 'kind.question', 'a'),
  kindItem('session', 'kind.session', 's'),
  kindItem('note', 'kind.note', 'n'),
  kindItem('contact', 'kind.contact', 'c'),
  kindItem('org', 'kind.org', 'o'),
  kindItem('method', 'kind.method', 'm'),
  { id: 'monitoring', label: 'nav.monitoring', href: monitoringHref(), goKey: 'd', kind: null },
  { id: 'exchange', label: 'nav.exchange', href: exchangeHref(), goKey: 'e', kind: null },
  { id: 'settings', label: 'nav.settings', href: settingsHref(), goKey: ',', kind: null },
];

export const NAV_MORE: readonly NavItem[] = [
  kindItem('review', 'kind.review', 'r'),
  kindItem('evaluation', 'kind.evaluation', 'v'),
  kindItem('attachment', 'kind.attachment', 'f'),
];

/** Whether `item` is where `route` is. */
export function isActive(item: NavItem, route: Route): boolean {
  if (item.kind) return route.name === 'kind' && route.kind === item.kind;
  return route.name === item.id;
}

/** The destination of `g` + `key`, if any. */
export function goTarget(key: string): NavItem | undefined {
  return [...NAV_MAIN, ...NAV_MORE].find((item) => item.goKey === key.toLowerCase());
}
