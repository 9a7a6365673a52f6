import type { MessageKey } from './i18n';

/** The record kinds, in navigation order (product.md, "Record fields"). */
export const KINDS = [
  'question',
  'review',
  'session',
  'evaluation',
  'note',
  'method',
  'contact',
  'org',
  'attachment',
] as const;

export type Kind = (typeof KINDS)[number];

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value);
}

/** Plural label (navigation, list headers). */
export function kindLabelKey(kind: Kind): `kind.${Kind}` & MessageKey {
  return `kind.${kind}`;
}

/** Singular label (a record's kind in its detail). */
export function kindOneLabelKey(kind: Kind): `kindOne.${Kind}` & MessageKey {
  return `kindOne.${kind}`;
}
