/**
 * The fields the record editor offers per kind, in form order, with the values an enum
 * allows (the core's schema.rs is the authority; it validates every save and names the
 * field it refuses).
 */
import type { Kind } from './kinds';

export const QUESTION_STATUS = ['open', 'provisional', 'resolved', 'dropped'] as const;
export type QuestionStatus = (typeof QUESTION_STATUS)[number];
export const PRIORITY = ['low', 'medium', 'high'] as const;
const SESSION_STATUS = ['idea', 'planned', 'confirmed', 'held', 'cancelled'] as const;
const NOTE_KIND = ['workshop_notes', 'case_study', 'reflection', 'other'] as const;

export type EditField =
  | { name: string; type: 'line' }
  | { name: string; type: 'text' }
  | { name: string; type: 'tags' }
  | { name: string; type: 'body' }
  | { name: string; type: 'select'; options: readonly string[] };

const TITLE: EditField = { name: 'title', type: 'line' };
const TAGS: EditField = { name: 'tags', type: 'tags' };
const BODY: EditField = { name: 'body', type: 'body' };

export function editFields(kind: Kind): EditField[] {
  switch (kind) {
    case 'question':
      return [
        TITLE,
        { name: 'status', type: 'select', options: QUESTION_STATUS },
        { name: 'priority', type: 'select', options: PRIORITY },
        { name: 'theme', type: 'line' },
        TAGS,
        { name: 'provisional_answer', type: 'text' },
        BODY,
      ];
    case 'session':
      return [TITLE, { name: 'status', type: 'select', options: SESSION_STATUS }, TAGS, BODY];
    case 'note':
      return [TITLE, { name: 'note_kind', type: 'select', options: NOTE_KIND }, TAGS, BODY];
    default:
      return [TITLE, TAGS, BODY];
  }
}

export function isQuestionStatus(value: string | null | undefined): value is QuestionStatus {
  return (QUESTION_STATUS as readonly (string | null | undefined)[]).includes(value);
}

/** The days between an RFC 3339 timestamp and `now` (0 for today or the future). */
export function ageInDays(timestamp: string, now: number = Date.now()): number {
  const t = new Date(timestamp).getTime();
  if (Number.isNaN(t)) return 0;
  return Math.max(0, Math.floor((now - t) / 86_400_000));
}
