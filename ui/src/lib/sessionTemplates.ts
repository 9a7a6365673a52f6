/**
 * Sessions as templates: a template is a session tagged `template` (so it travels in
 * bundles and is found by search like any record). Saving one copies what a next session
 * reuses (kind, agenda, objectives, text, tags) and leaves out what belongs to one
 * occurrence (dates, people, outcomes, reflection).
 */
import type { RecordDetail } from './bindings/RecordDetail';

export const TEMPLATE_TAG = 'template';

export interface SessionTemplate {
  id: string;
  title: string;
}

const REUSED = ['session_kind', 'agenda', 'objectives', 'body', 'venue', 'online_url', 'host_org', 'language'];

function recordOf(d: RecordDetail): Record<string, unknown> {
  return d.record !== null && typeof d.record === 'object' && !Array.isArray(d.record) ? { ...d.record } : {};
}

function tagsOf(r: Record<string, unknown>): string[] {
  return Array.isArray(r.tags) ? r.tags.filter((x): x is string => typeof x === 'string') : [];
}

/** The fields of a template made from session `d`. */
export function toSessionTemplate(d: RecordDetail, title: string): Record<string, unknown> {
  const r = recordOf(d);
  const out: Record<string, unknown> = { title, status: 'idea' };
  for (const key of REUSED) if (r[key] !== undefined) out[key] = r[key];
  out.tags = [...new Set([...tagsOf(r), TEMPLATE_TAG])];
  return out;
}

/** The fields of a new session `title` made from template `d` (its dates are the caller's). */
export function fromSessionTemplate(d: RecordDetail, title: string): Record<string, unknown> {
  const r = recordOf(d);
  const out: Record<string, unknown> = { title };
  for (const key of REUSED) if (r[key] !== undefined) out[key] = r[key];
  const tags = tagsOf(r).filter((x) => x !== TEMPLATE_TAG);
  if (tags.length > 0) out.tags = tags;
  return out;
}
