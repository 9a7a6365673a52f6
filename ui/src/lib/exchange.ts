/**
 * Exchange helpers without UI: the export scope for a form's choices, comparing and merging
 * the versions of a conflict, following progress events. Components stay thin; these are
 * unit-tested on their own.
 */
import type { Api } from './api';
import type { ConflictVersion } from './bindings/ConflictVersion';
import type { ExchangeProgress } from './bindings/ExchangeProgress';
import type { ExportScope } from './bindings/ExportScope';
import type { JsonValue } from './bindings/serde_json/JsonValue';

/** The scopes the export form offers. */
export const SCOPE_CHOICES = ['all', 'tag', 'session', 'question', 'dates', 'changed'] as const;
export type ScopeChoice = (typeof SCOPE_CHOICES)[number];

/** What the export form holds (empty strings for fields not filled in). */
export interface ScopeForm {
  choice: ScopeChoice;
  tag: string;
  session: string;
  question: string;
  from: string;
  to: string;
  /** The partner organisation (id) of "changed since the last bundle to …". */
  changedOrg: string;
  /** The partner organisation (id) the bundle is made for, optional. */
  forOrg: string;
}

export function emptyScopeForm(): ScopeForm {
  return {
    choice: 'all',
    tag: '',
    session: '',
    question: '',
    from: '',
    to: '',
    changedOrg: '',
    forOrg: '',
  };
}

/** Why the form cannot make a scope yet (a message key), or null when it can. */
export type ScopeProblem =
  | 'export.needTag'
  | 'export.needSession'
  | 'export.needQuestion'
  | 'export.needDates'
  | 'export.datesOrder'
  | 'export.needPartner';

export function scopeProblem(form: ScopeForm): ScopeProblem | null {
  switch (form.choice) {
    case 'all':
      return null;
    case 'tag':
      return form.tag.trim() ? null : 'export.needTag';
    case 'session':
      return form.session ? null : 'export.needSession';
    case 'question':
      return form.question ? null : 'export.needQuestion';
    case 'dates':
      if (!form.from && !form.to) return 'export.needDates';
      return form.from && form.to && form.from > form.to ? 'export.datesOrder' : null;
    case 'changed':
      return form.changedOrg ? null : 'export.needPartner';
  }
}

/**
 * The ExportScope for the form: only the chosen filter is set. A bundle of what changed
 * since the last one to a partner is made for that partner unless another is chosen, so
 * the next "changed since" bundle starts from this one.
 */
export function buildExportScope(form: ScopeForm): ExportScope {
  const scope: ExportScope = {
    tag: null,
    session: null,
    question: null,
    from: null,
    to: null,
    changed_since_last_to: null,
    for_org: form.forOrg || null,
  };
  switch (form.choice) {
    case 'all':
      break;
    case 'tag':
      scope.tag = form.tag.trim().replace(/^#/, '') || null;
      break;
    case 'session':
      scope.session = form.session || null;
      break;
    case 'question':
      scope.question = form.question || null;
      break;
    case 'dates':
      scope.from = form.from || null;
      scope.to = form.to || null;
      break;
    case 'changed':
      scope.changed_since_last_to = form.changedOrg || null;
      scope.for_org = form.forOrg || form.changedOrg || null;
      break;
  }
  return scope;
}

/** Fields the store owns: never compared, merged or sent back in merged content. */
export const STORE_OWNED_FIELDS = new Set(['id', 'kind', 'rev', 'created_at', 'updated_at', 'deleted']);

type JsonObject = { [key in string]?: JsonValue };

export function asObject(value: JsonValue | undefined): JsonObject {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value)
    ? value
    : {};
}

/** JSON with object keys sorted: equal values give equal strings. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

export interface ConflictField {
  name: string;
  /** Not the same in every version. */
  differs: boolean;
}

/**
 * The fields to show for a conflict's versions: the title first, then the winner's fields
 * in its order, then fields only other versions have; store-owned fields left out.
 */
export function conflictFields(versions: ConflictVersion[]): ConflictField[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const version of versions) {
    for (const name of Object.keys(asObject(version.record))) {
      if (STORE_OWNED_FIELDS.has(name) || seen.has(name)) continue;
      seen.add(name);
      names.push(name);
    }
  }
  const titleAt = names.indexOf('title');
  if (titleAt > 0) {
    names.splice(titleAt, 1);
    names.unshift('title');
  }
  return names.map((name) => {
    const values = versions.map((v) => canonicalJson(asObject(v.record)[name]));
    return { name, differs: values.some((x) => x !== values[0]) };
  });
}

/**
 * The merged record: the first (winning) version's fields, with each field in `choices`
 * taken from the version at that index (a field that version lacks is left out).
 * Store-owned fields are never included.
 */
export function mergeVersions(
  versions: ConflictVersion[],
  choices: Record<string, number>,
): { [key in string]: JsonValue } {
  const merged: { [key in string]: JsonValue } = {};
  for (const [name, value] of Object.entries(asObject(versions[0]?.record))) {
    if (!STORE_OWNED_FIELDS.has(name) && value !== undefined) merged[name] = value;
  }
  for (const [name, index] of Object.entries(choices)) {
    if (STORE_OWNED_FIELDS.has(name)) continue;
    const value = asObject(versions[index]?.record)[name];
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

/** Progress as numbers (the generated type says bigint; JSON brings numbers). */
export interface Progress {
  phase: string;
  done: number;
  total: number;
}

export function toProgress(p: ExchangeProgress): Progress {
  return { phase: p.phase, done: Number(p.done), total: Number(p.total) };
}

/** Percentage done (0–100), or null when the total is not known yet. */
export function percent(p: Progress): number | null {
  if (!(p.total > 0)) return null;
  return Math.max(0, Math.min(100, Math.round((p.done / p.total) * 100)));
}

/**
 * Follow `exchange-progress` events until the returned function is called (safe to call
 * before the subscription is set up).
 */
export function followProgress(api: Api, callback: (progress: Progress) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  api.exchange
    .onProgress((p) => {
      if (!stopped) callback(toProgress(p));
    })
    .then((unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    })
    .catch(() => {
      /* no progress events (e.g. outside Tauri): the work still runs, without a bar */
    });
  return () => {
    stopped = true;
    stop?.();
  };
}

/** Whether an AppError-like rejection is the cancellation of a running job. */
export function isCancelled(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'cancelled'
  );
}
