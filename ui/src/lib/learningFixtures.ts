/**
 * Sample answers of the learning commands, shaped as the Rust side returns them: the fake
 * Api of the component tests and the browser preview (`npm run dev` without Tauri) use
 * them. Three reviews of four questions: q1 open throughout (persistent at 3), q2 resolved
 * in the third, q3 added in the second, q4 dropped in the third.
 */
import type { CsvImportResult } from './bindings/CsvImportResult';
import type { EvaluationItems } from './bindings/EvaluationItems';
import type { LearningTimeline } from './bindings/LearningTimeline';
import type { MonitoringFigures } from './bindings/MonitoringFigures';
import type { QuestionSnapshot } from './bindings/QuestionSnapshot';
import type { ReviewComparison } from './bindings/ReviewComparison';
import type { SessionEvaluationSummary } from './bindings/SessionEvaluationSummary';

const snap = (status: string, priority: string | null = 'high', provisional_answer: string | null = null): QuestionSnapshot => ({
  status,
  priority,
  provisional_answer,
  owner_org: 'p-fi',
});

export const EVALUATION_ITEMS: EvaluationItems = {
  reaction: ['relevance', 'usefulness', 'facilitation', 'organisation', 'overall'],
  learning: ['before', 'after'],
};

export const SAMPLE_HISTORY: LearningTimeline = {
  persistence_threshold: 3,
  reviews: [
    { id: 'rev-1', title: 'Agenda review — Kick-off in Århus (2026-03-02)', session_id: 's-1', session_title: 'Kick-off in Århus', taken_at: '2026-03-02T10:00:00Z', remarks: null, questions: 3, open: 3, provisional: 0, resolved: 0, dropped: 0, persistent: 0 },
    { id: 'rev-2', title: 'Agenda review — Study visit Plzeň (2026-06-10)', session_id: 's-2', session_title: 'Study visit Plzeň', taken_at: '2026-06-10T10:00:00Z', remarks: 'Housing first needs the ministry at the table.', questions: 4, open: 3, provisional: 1, resolved: 0, dropped: 0, persistent: 0 },
    { id: 'rev-3', title: 'Agenda review — Workshop Łódź (2026-09-15)', session_id: 's-3', session_title: 'Workshop Łódź', taken_at: '2026-09-15T10:00:00Z', remarks: null, questions: 4, open: 2, provisional: 0, resolved: 1, dropped: 1, persistent: 1 },
  ],
  questions: [
    {
      question_id: 'q1', title: 'How do we scale housing first in Jyväskylä?', theme: 'housing first', owner_org: 'p-fi', owner_name: 'THL', deleted: false,
      first_review: 'rev-1', first_seen_at: '2026-03-02T10:00:00Z', resolved_in: null, dropped_in: null, last_status: 'open', on_agenda: true,
      open_streak: 3, longest_open_streak: 3, persistent: true,
      events: [{ review_id: 'rev-1', taken_at: '2026-03-02T10:00:00Z', change: 'appeared', before: null, after: snap('open') }],
    },
    {
      question_id: 'q2', title: 'Which outcome fund suits Gdańsk?', theme: 'impact bonds', owner_org: 'p-pl', owner_name: 'Shipyard', deleted: false,
      first_review: 'rev-1', first_seen_at: '2026-03-02T10:00:00Z', resolved_in: 'rev-3', dropped_in: null, last_status: 'resolved', on_agenda: true,
      open_streak: 0, longest_open_streak: 2, persistent: false,
      events: [
        { review_id: 'rev-1', taken_at: '2026-03-02T10:00:00Z', change: 'appeared', before: null, after: snap('open', 'medium') },
        { review_id: 'rev-2', taken_at: '2026-06-10T10:00:00Z', change: 'changed', before: snap('open', 'medium'), after: snap('provisional', 'medium', 'A blended fund') },
        { review_id: 'rev-3', taken_at: '2026-09-15T10:00:00Z', change: 'resolved', before: snap('provisional', 'medium', 'A blended fund'), after: snap('resolved', 'medium', 'A blended fund') },
      ],
    },
    {
      question_id: 'q3', title: 'Co-design with citizens in Brno?', theme: 'co-design', owner_org: 'p-cz', owner_name: 'MoLSA', deleted: false,
      first_review: 'rev-2', first_seen_at: '2026-06-10T10:00:00Z', resolved_in: null, dropped_in: null, last_status: 'open', on_agenda: true,
      open_streak: 2, longest_open_streak: 2, persistent: false,
      events: [{ review_id: 'rev-2', taken_at: '2026-06-10T10:00:00Z', change: 'appeared', before: null, after: snap('open', 'low') }],
    },
    {
      question_id: 'q4', title: 'A youth guarantee for Cork?', theme: 'youth employment', owner_org: 'p-ie1', owner_name: 'Rethink', deleted: false,
      first_review: 'rev-1', first_seen_at: '2026-03-02T10:00:00Z', resolved_in: null, dropped_in: 'rev-3', last_status: 'dropped', on_agenda: true,
      open_streak: 0, longest_open_streak: 2, persistent: false,
      events: [
        { review_id: 'rev-1', taken_at: '2026-03-02T10:00:00Z', change: 'appeared', before: null, after: snap('open', 'low') },
        { review_id: 'rev-3', taken_at: '2026-09-15T10:00:00Z', change: 'dropped', before: snap('open', 'low'), after: snap('dropped', 'low') },
      ],
    },
  ],
  by_theme: [
    { key: 'housing first', label: 'housing first', questions: 1, open: 1, provisional: 0, resolved: 0, dropped: 0, persistent: 1, question_ids: ['q1'] },
    { key: 'impact bonds', label: 'impact bonds', questions: 1, open: 0, provisional: 0, resolved: 1, dropped: 0, persistent: 0, question_ids: ['q2'] },
  ],
  by_owner: [
    { key: 'p-fi', label: 'THL', questions: 1, open: 1, provisional: 0, resolved: 0, dropped: 0, persistent: 1, question_ids: ['q1'] },
    { key: 'p-pl', label: 'Shipyard', questions: 1, open: 0, provisional: 0, resolved: 1, dropped: 0, persistent: 0, question_ids: ['q2'] },
  ],
};

export const SAMPLE_DIFF: ReviewComparison = {
  from: 'rev-2',
  to: 'rev-3',
  added: [],
  resolved: [{ question_id: 'q2', title: 'Which outcome fund suits Gdańsk?', before: snap('provisional', 'medium', 'A blended fund'), after: snap('resolved', 'medium', 'A blended fund') }],
  dropped: [{ question_id: 'q4', title: 'A youth guarantee for Cork?', before: snap('open', 'low'), after: snap('dropped', 'low') }],
  changed: [],
};

export const EMPTY_EVALUATION: SessionEvaluationSummary = {
  session_id: 's-1',
  forms: [
    { level: 'reaction', forms: 0 },
    { level: 'learning', forms: 0 },
    { level: 'behaviour', forms: 0 },
    { level: 'results', forms: 0 },
  ],
  scores: [],
  comments: [],
  reflection: null,
  follow_up_due: null,
  follow_up_done: false,
};

export const SAMPLE_EVALUATION: SessionEvaluationSummary = {
  session_id: 's-1',
  forms: [
    { level: 'reaction', forms: 12 },
    { level: 'learning', forms: 10 },
    { level: 'behaviour', forms: 0 },
    { level: 'results', forms: 0 },
  ],
  scores: [
    { item: 'relevance', responses: 12, mean: 4.25 },
    { item: 'overall', responses: 12, mean: 4.5 },
  ],
  comments: ['Very useful — děkujeme!'],
  reflection: null,
  follow_up_due: '2027-01-15',
  follow_up_done: false,
};

export function sampleCsvReport(path: string, dryRun: boolean): CsvImportResult {
  return {
    file: path,
    session_id: 's-1',
    dry_run: dryRun,
    mapped: [
      { heading: 'How relevant was the session?', target: 'relevance' },
      { heading: 'Any comments?', target: 'comments' },
    ],
    ignored: ['Email'],
    rows: 5,
    imported_rows: 4,
    already_imported: 0,
    records_created: dryRun ? 0 : 4,
    problems: [{ row: 4, line: 4, problem: 'relevance: `7` is not a rating from 1 to 5' }],
  };
}

export const SAMPLE_FIGURES: MonitoringFigures = {
  from: null,
  to: null,
  partner: null,
  partner_name: null,
  persistence_threshold: 3,
  quarters: ['2026-Q1', '2026-Q2', '2026-Q3'],
  sessions_held_total: 6,
  sessions_held: [
    { partner_id: 'p-pl', partner: 'Shipyard Foundation', quarter: '2026-Q2', sessions: 1 },
    { partner_id: 'p-fi', partner: 'THL', quarter: '2026-Q1', sessions: 2 },
    { partner_id: 'p-fi', partner: 'THL', quarter: '2026-Q3', sessions: 3 },
  ],
  participants_by_sector: [
    { sector: 'government', headcount: 10, contacts: 4, total: 14 },
    { sector: 'non_profit', headcount: 6, contacts: 2, total: 8 },
    { sector: 'business', headcount: 0, contacts: 1, total: 1 },
    { sector: 'citizens', headcount: 3, contacts: 0, total: 3 },
    { sector: 'academia', headcount: 2, contacts: 3, total: 5 },
  ],
  participants_by_country: [
    { country: 'FI', contacts: 5 },
    { country: 'PL', contacts: 3 },
    { country: 'CZ', contacts: 2 },
  ],
  agenda_progress: [
    { review_id: 'rev-1', taken_at: '2026-03-02T10:00:00Z', open: 3, provisional: 0, resolved: 0, dropped: 0, persistent: 0 },
    { review_id: 'rev-2', taken_at: '2026-06-10T10:00:00Z', open: 3, provisional: 1, resolved: 0, dropped: 0, persistent: 0 },
    { review_id: 'rev-3', taken_at: '2026-09-15T10:00:00Z', open: 2, provisional: 0, resolved: 1, dropped: 1, persistent: 1 },
  ],
  evaluation_scores: [
    { quarter: '2026-Q1', item: 'relevance', responses: 8, mean: 3.75 },
    { quarter: '2026-Q1', item: 'overall', responses: 8, mean: 4 },
    { quarter: '2026-Q3', item: 'relevance', responses: 12, mean: 4.25 },
    { quarter: '2026-Q3', item: 'overall', responses: 12, mean: 4.5 },
  ],
  experts: { facilitators: 4, participants: 11, distinct: 13, external: 5 },
};
