import type { QuestionCard } from '../bindings/QuestionCard';
import type { RecordDetail } from '../bindings/RecordDetail';
import type { RecordPage } from '../bindings/RecordPage';
import type { RevisionEntry } from '../bindings/RevisionEntry';
import { call } from './invoke';

/** Records of every kind: paged lists and single records with their links. */
export interface RecordsApi {
  /** `records_list({ kind, offset, limit })`: newest updated first. */
  list(kind: string, offset: number, limit: number): Promise<RecordPage>;
  /** `record_get({ id })` */
  get(id: string): Promise<RecordDetail>;
  /** `record_create({ kind, fields })`: the core validates `fields`; resolves with the new record. */
  create(kind: string, fields: Record<string, unknown>): Promise<RecordDetail>;
  /**
   * `record_update({ id, fields, expectedRev })`: replaces the record's fields; rejects with
   * `conflict` when the record changed since `expectedRev`.
   */
  update(id: string, fields: Record<string, unknown>, expectedRev: string): Promise<RecordDetail>;
  /** `record_history({ id })`: every revision, newest first. */
  history(id: string): Promise<RevisionEntry[]>;
  /** `record_restore({ id, rev })`: revision `rev` becomes current again, as a new revision. */
  restore(id: string, rev: string): Promise<RecordDetail>;
  /** `record_delete({ id })`: a tombstone; the history stays restorable. */
  remove(id: string): Promise<void>;
  /** `questions_list()`: every live learning question, for the board and the list. */
  questions(): Promise<QuestionCard[]>;
}

export const tauriRecordsApi: RecordsApi = {
  list: (kind, offset, limit) => call<RecordPage>('records_list', { kind, offset, limit }),
  get: (id) => call<RecordDetail>('record_get', { id }),
  create: (kind, fields) => call<RecordDetail>('record_create', { kind, fields }),
  update: (id, fields, expectedRev) => call<RecordDetail>('record_update', { id, fields, expectedRev }),
  history: (id) => call<RevisionEntry[]>('record_history', { id }),
  restore: (id, rev) => call<RecordDetail>('record_restore', { id, rev }),
  remove: (id) => call<undefined>('record_delete', { id }),
  questions: () => call<QuestionCard[]>('questions_list'),
};
