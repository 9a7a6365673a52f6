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

/**
 * A form field. `name` may be dotted for a nested field (`consent.basis`). `tags` is any
 * list of strings, typed comma-separated; `number` a whole number; `bool` a checkbox;
 * `date` a `YYYY-MM-DD` date.
 */
export type EditField =
  | { name: string; type: 'line' }
  | { name: string; type: 'text' }
  | { name: string; type: 'tags' }
  | { name: string; type: 'body' }
  | { name: string; type: 'number' }
  | { name: string; type: 'bool' }
  | { name: string; type: 'date' }
  | { name: string; type: 'select'; options: readonly string[] };

const SECTOR = ['government', 'non_profit', 'business', 'citizens', 'academia'] as const;
const CONSENT_BASIS = ['consent', 'legitimate_interest', 'public_information', 'none'] as const;

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
    case 'method':
      return [
        TITLE,
        { name: 'minutes', type: 'number' },
        { name: 'group_size', type: 'line' },
        { name: 'materials', type: 'text' },
        TAGS,
        BODY,
      ];
    case 'contact':
      return [
        TITLE,
        { name: 'role', type: 'line' },
        { name: 'email', type: 'line' },
        { name: 'phone', type: 'line' },
        { name: 'country', type: 'line' },
        { name: 'sector', type: 'select', options: SECTOR },
        { name: 'languages', type: 'tags' },
        { name: 'expertise', type: 'tags' },
        { name: 'consent.basis', type: 'select', options: CONSENT_BASIS },
        { name: 'consent.recorded_at', type: 'date' },
        { name: 'consent.share_with_partners', type: 'bool' },
        { name: 'consent.note', type: 'text' },
        { name: 'last_contacted', type: 'date' },
        TAGS,
        BODY,
      ];
    case 'org':
      return [
        TITLE,
        { name: 'country', type: 'line' },
        { name: 'sector', type: 'select', options: SECTOR },
        { name: 'website', type: 'line' },
        TAGS,
        BODY,
      ];
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
