import { invoke } from '@tauri-apps/api/core';
import type { AttachedFile } from '../bindings/AttachedFile';
import type { CalendarSession } from '../bindings/CalendarSession';
import type { FieldFilter } from '../bindings/FieldFilter';
import type { FieldValueCount } from '../bindings/FieldValueCount';
import type { MethodCard } from '../bindings/MethodCard';
import type { QuestionCard } from '../bindings/QuestionCard';
import type { RecordDetail } from '../bindings/RecordDetail';
import type { RecordPage } from '../bindings/RecordPage';
import type { RevisionEntry } from '../bindings/RevisionEntry';
import { toAppError } from './errors';
import { call } from './invoke';

/** Records of every kind: paged lists and single records with their links. */
export interface RecordsApi {
  /**
   * `records_list({ kind, offset, limit, filters })`: newest updated first; each filter's
   * field is its value or a list holding it.
   */
  list(kind: string, offset: number, limit: number, filters?: FieldFilter[]): Promise<RecordPage>;
  /** `field_values({ kind, field })`: what a list filter offers, most frequent first. */
  fieldValues(kind: string, field: string): Promise<FieldValueCount[]>;
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
  /** `sessions_calendar({ from, to })`: sessions meeting the local dates `from`..=`to`. */
  calendar(from: string, to: string): Promise<CalendarSession[]>;
  /** `methods_list()`: the method library by title, for agenda blocks. */
  methods(): Promise<MethodCard[]>;
  /** `body_preview({ id, body })`: `body` rendered as record `id` would show it (null: empty). */
  preview(id: string, body: string): Promise<string | null>;
  /**
   * `attachment_add` (the file's bytes as the raw request body): attaches `file` to `id` on
   * top of `expectedRev`; rejects with `conflict` when the record changed since.
   */
  attach(id: string, file: File, expectedRev: string): Promise<AttachedFile>;
  /** `attachment_pick({ id, expectedRev })`: the system's file dialog, then attaches; null when cancelled. */
  pickAttachment(id: string, expectedRev: string): Promise<AttachedFile | null>;
}

export const tauriRecordsApi: RecordsApi = {
  list: (kind, offset, limit, filters) =>
    call<RecordPage>('records_list', { kind, offset, limit, filters: filters && filters.length > 0 ? filters : null }),
  fieldValues: (kind, field) => call<FieldValueCount[]>('field_values', { kind, field }),
  get: (id) => call<RecordDetail>('record_get', { id }),
  create: (kind, fields) => call<RecordDetail>('record_create', { kind, fields }),
  update: (id, fields, expectedRev) => call<RecordDetail>('record_update', { id, fields, expectedRev }),
  history: (id) => call<RevisionEntry[]>('record_history', { id }),
  restore: (id, rev) => call<RecordDetail>('record_restore', { id, rev }),
  remove: (id) => call<undefined>('record_delete', { id }),
  questions: () => call<QuestionCard[]>('questions_list'),
  calendar: (from, to) => call<CalendarSession[]>('sessions_calendar', { from, to }),
  methods: () => call<MethodCard[]>('methods_list'),
  preview: (id, body) => call<string | null>('body_preview', { id, body }),
  attach: async (id, file, expectedRev) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      return await invoke<AttachedFile>('attachment_add', bytes, {
        headers: {
          'x-record-id': encodeURIComponent(id),
          'x-file-name': encodeURIComponent(file.name),
          'x-expected-rev': encodeURIComponent(expectedRev),
        },
      });
    } catch (error) {
      throw toAppError(error);
    }
  },
  pickAttachment: (id, expectedRev) => call<AttachedFile | null>('attachment_pick', { id, expectedRev }),
};
