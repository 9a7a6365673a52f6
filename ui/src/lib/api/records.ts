import type { RecordDetail } from '../bindings/RecordDetail';
import type { RecordPage } from '../bindings/RecordPage';
import { call } from './invoke';

/** Records of every kind: paged lists and single records with their links. */
export interface RecordsApi {
  /** `records_list({ kind, offset, limit })`: newest updated first. */
  list(kind: string, offset: number, limit: number): Promise<RecordPage>;
  /** `record_get({ id })` */
  get(id: string): Promise<RecordDetail>;
  /** `record_create({ kind, fields })`: the core validates `fields`; resolves with the new record. */
  create(kind: string, fields: Record<string, unknown>): Promise<RecordDetail>;
}

export const tauriRecordsApi: RecordsApi = {
  list: (kind, offset, limit) => call<RecordPage>('records_list', { kind, offset, limit }),
  get: (id) => call<RecordDetail>('record_get', { id }),
  create: (kind, fields) => call<RecordDetail>('record_create', { kind, fields }),
};
