/**
 * The logic behind the review, learning-history, evaluation and monitoring screens, kept out
 * of the components so that it is tested on its own: the review screen's keys, a question's
 * draft during a review, the persistence threshold (per workspace), quick entry of
 * evaluation forms, what changed between two snapshots, and the dashboard's CSV.
 */
import type { EvaluationFormInput } from './bindings/EvaluationFormInput';
import type { QuestionSnapshot } from './bindings/QuestionSnapshot';
import { PRIORITY, QUESTION_STATUS, type QuestionStatus } from './editFields';

export type Priority = (typeof PRIORITY)[number];

// ---- the persistence threshold ---------------------------------------------------------

/** Open in this many reviews in a row makes a question persistent (issue 8: three). */
export const DEFAULT_PERSISTENCE_THRESHOLD = 3;
const THRESHOLD_KEY = 'insisst.persistenceThreshold:';

/** The threshold this workspace uses (saved in localStorage per workspace path). */
export function persistenceThreshold(workspacePath: string): number {
  try {
    const saved = Number(localStorage.getItem(THRESHOLD_KEY + workspacePath));
    return Number.isInteger(saved) && saved >= 1 && saved <= 99 ? saved : DEFAULT_PERSISTENCE_THRESHOLD;
  } catch {
    return DEFAULT_PERSISTENCE_THRESHOLD;
  }
}

/** Saves `value` for this workspace; a value out of 1–99 is refused (returns false). */
export function savePersistenceThreshold(workspacePath: string, value: number): boolean {
  if (!Number.isInteger(value) || value < 1 || value > 99) return false;
  try {
    localStorage.setItem(THRESHOLD_KEY + workspacePath, String(value));
  } catch {
    /* kept for this session only */
  }
  return true;
}

// ---- the review screen ----------------------------------------------------------------

export type ReviewAction =
  | { type: 'status'; status: QuestionStatus }
  | { type: 'priority'; priority: Priority }
  | { type: 'next' }
  | { type: 'previous' }
  | { type: 'answer' }
  | { type: 'finish' };

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
}

/**
 * The review screen's keys, outside the answer field: 1–4 status (open, provisional,
 * resolved, dropped), h/m/l priority, a to write the answer, Enter or → next, ← or
 * Shift+Enter previous, Ctrl+Enter finish.
 */
export function reviewKeyAction(event: KeyLike): ReviewAction | null {
  if (event.altKey) return null;
  const mod = event.ctrlKey || event.metaKey;
  if (event.key === 'Enter') {
    if (mod) return { type: 'finish' };
    return event.shiftKey ? { type: 'previous' } : { type: 'next' };
  }
  if (mod) return null;
  if (event.key === 'ArrowRight') return { type: 'next' };
  if (event.key === 'ArrowLeft') return { type: 'previous' };
  const status = QUESTION_STATUS[Number(event.key) - 1];
  if (/^[1-4]$/.test(event.key) && status) return { type: 'status', status };
  switch (event.key.toLowerCase()) {
    case 'h':
      return { type: 'priority', priority: 'high' };
    case 'm':
      return { type: 'priority', priority: 'medium' };
    case 'l':
      return { type: 'priority', priority: 'low' };
    case 'a':
      return { type: 'answer' };
  }
  return null;
}

/** A question during a review: what it was, and what the meeting is making of it. */
export interface ReviewDraft {
  id: string;
  rev: string;
  title: string;
  theme: string | null;
  /** The record as loaded (every field), to save back whole. */
  fields: Record<string, unknown>;
  status: QuestionStatus;
  priority: Priority | null;
  answer: string;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

/** A draft of a question record (`record` as `records.get` gives it). */
export function draftOf(id: string, rev: string, title: string, record: unknown): ReviewDraft {
  const fields: Record<string, unknown> =
    record !== null && typeof record === 'object' && !Array.isArray(record) ? { ...(record as Record<string, unknown>) } : {};
  delete fields.rev;
  const status = (QUESTION_STATUS as readonly string[]).includes(String(fields.status))
    ? (fields.status as QuestionStatus)
    : 'open';
  const priority = (PRIORITY as readonly string[]).includes(String(fields.priority)) ? (fields.priority as Priority) : null;
  return {
    id,
    rev,
    title,
    theme: text(fields.theme),
    fields,
    status,
    priority,
    answer: text(fields.provisional_answer) ?? '',
  };
}

/** Whether the meeting changed the question (what saving it would write). */
export function draftChanged(d: ReviewDraft): boolean {
  const was = draftOf(d.id, d.rev, d.title, d.fields);
  return was.status !== d.status || was.priority !== d.priority || was.answer.trim() !== d.answer.trim();
}

/** The whole record with the draft's status, priority and provisional answer. */
export function draftFields(d: ReviewDraft): Record<string, unknown> {
  const out: Record<string, unknown> = { ...d.fields, status: d.status };
  if (d.priority) out.priority = d.priority;
  else delete out.priority;
  const answer = d.answer.trim();
  if (answer) out.provisional_answer = answer;
  else delete out.provisional_answer;
  return out;
}

const PRIORITY_ORDER: Record<string, number> = { high: 0, medium: 1, low: 2 };

/** The order a review walks questions in: open ones first, by priority, then title. */
export function reviewOrder<T extends { status: string | null; priority: string | null; title: string }>(
  questions: readonly T[],
  includeClosed: boolean,
): T[] {
  const open = (q: T) => q.status === null || q.status === 'open' || q.status === 'provisional';
  return questions
    .filter((q) => includeClosed || open(q))
    .slice()
    .sort(
      (a, b) =>
        Number(!open(a)) - Number(!open(b)) ||
        (PRIORITY_ORDER[a.priority ?? ''] ?? 3) - (PRIORITY_ORDER[b.priority ?? ''] ?? 3) ||
        a.title.localeCompare(b.title),
    );
}

// ---- differences ------------------------------------------------------------------------

export interface FieldChange {
  field: 'status' | 'priority' | 'provisional_answer' | 'owner_org';
  before: string | null;
  after: string | null;
}

/** The fields that differ between two snapshots of a question (either may be missing). */
export function snapshotChanges(before: QuestionSnapshot | null, after: QuestionSnapshot | null): FieldChange[] {
  const fields = ['status', 'priority', 'provisional_answer', 'owner_org'] as const;
  return fields
    .map((field) => ({ field, before: before?.[field] ?? null, after: after?.[field] ?? null }))
    .filter((c) => c.before !== c.after);
}

// ---- evaluation quick entry ---------------------------------------------------------------

/** One participant's row in quick entry: reaction ratings, comment, learning before/after. */
export interface FormRow {
  ratings: Record<string, number | null>;
  comments: string;
  before: number | null;
  after: number | null;
}

export function emptyRow(items: readonly string[]): FormRow {
  return { ratings: Object.fromEntries(items.map((i) => [i, null])), comments: '', before: null, after: null };
}

/** A rating typed as one key: 1–5, else null. */
export function ratingKey(key: string): number | null {
  return /^[1-5]$/.test(key) ? Number(key) : null;
}

/** Whether nothing was entered on the row (such rows are skipped, not refused). */
export function rowIsEmpty(row: FormRow): boolean {
  return (
    Object.values(row.ratings).every((v) => v === null) && row.comments.trim() === '' && row.before === null && row.after === null
  );
}

/**
 * The forms of the rows: for each row that has anything, a reaction form (when it has a
 * rating or a comment) and a learning form (when it has before or after). `followUpDue` is
 * set on the reaction forms (the core plans the behaviour follow-up from it).
 */
export function formsOf(rows: readonly FormRow[], followUpDue: string | null): EvaluationFormInput[] {
  const forms: EvaluationFormInput[] = [];
  for (const row of rows) {
    if (rowIsEmpty(row)) continue;
    const ratings: Record<string, number> = {};
    for (const [item, v] of Object.entries(row.ratings)) if (v !== null) ratings[item] = v;
    const comments = row.comments.trim() || null;
    if (Object.keys(ratings).length > 0 || comments) {
      forms.push({ level: 'reaction', ratings, comments, follow_up_due: followUpDue });
    }
    if (row.before !== null || row.after !== null) {
      const learning: Record<string, number> = {};
      if (row.before !== null) learning.before = row.before;
      if (row.after !== null) learning.after = row.after;
      forms.push({ level: 'learning', ratings: learning, comments: null, follow_up_due: null });
    }
  }
  return forms;
}

/** A `YYYY-MM-DD` date some months after `day` (a follow-up's usual distance: three). */
export function monthsLater(day: Date, months = 3): string {
  const d = new Date(Date.UTC(day.getFullYear(), day.getMonth() + months, day.getDate()));
  return d.toISOString().slice(0, 10);
}

// ---- CSV ----------------------------------------------------------------------------------

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV (CRLF line ends) of `rows`, with `columns` as the heading, in that order. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A file name for a chart's export: its title, safe on every system, and the extension. */
const UNDECOMPOSED: Record<string, string> = { Ł: 'L', ł: 'l', Ø: 'O', ø: 'o', Æ: 'AE', æ: 'ae', ß: 'ss', Đ: 'D', đ: 'd' };

export function exportName(title: string, ext: 'csv' | 'svg' | 'png'): string {
  const base = title
    .replace(/[ŁłØøÆæßĐđ]/g, (c) => UNDECOMPOSED[c] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return `${base || 'chart'}.${ext}`;
}
