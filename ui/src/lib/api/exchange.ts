import { listen } from '@tauri-apps/api/event';
import type { ConflictDetail } from '../bindings/ConflictDetail';
import type { ConflictResolution } from '../bindings/ConflictResolution';
import type { ConflictSummary } from '../bindings/ConflictSummary';
import type { ExchangeProgress } from '../bindings/ExchangeProgress';
import type { ExportRequest } from '../bindings/ExportRequest';
import type { ExportSummary } from '../bindings/ExportSummary';
import type { ImportPreview } from '../bindings/ImportPreview';
import type { ImportSummary } from '../bindings/ImportSummary';
import type { KnownKey } from '../bindings/KnownKey';
import type { RecordDetail } from '../bindings/RecordDetail';
import { call } from './invoke';

/** The event the Rust side emits while an export or import runs. */
export const EXCHANGE_PROGRESS_EVENT = 'exchange-progress';

/**
 * Signed bundles between partner organisations: export, preview and import (all or
 * nothing), the conflicts imports leave for a person to resolve, and the keyring of the
 * authors whose bundles were imported. A running export or import can be cancelled; it
 * then rejects with `{code: "cancelled"}`.
 */
export interface ExchangeApi {
  /** `exchange_export({ request })` */
  exportBundle(request: ExportRequest): Promise<ExportSummary>;
  /**
   * `exchange_preview({ path })`: what importing would do. Rejects when the bundle is
   * refused (bad signature, hostile content…); a changed key is not an error but
   * `signature: "changed_key"`.
   */
  preview(path: string): Promise<ImportPreview>;
  /** `exchange_import({ path, trustNewKey })`: applies all of it or nothing. */
  importBundle(path: string, trustNewKey: boolean): Promise<ImportSummary>;
  /** `exchange_cancel()`: cancels the running export or import. */
  cancel(): Promise<void>;
  /** `exchange_pick_file({ save, suggestedName })`: the native file dialog; null when cancelled. */
  pickFile(save: boolean, suggestedName: string | null): Promise<string | null>;
  /** `conflicts_list()` */
  conflicts(): Promise<ConflictSummary[]>;
  /** `conflict_get({ id })` */
  conflict(id: string): Promise<ConflictDetail>;
  /** `conflict_resolve({ resolution })`: the record as it is after resolving. */
  resolve(resolution: ConflictResolution): Promise<RecordDetail>;
  /** `keys_list()` */
  keys(): Promise<KnownKey[]>;
  /** `keys_remove({ nodeId })` */
  removeKey(nodeId: string): Promise<void>;
  /** Follow the `exchange-progress` event; resolves to the function that stops following. */
  onProgress(callback: (progress: ExchangeProgress) => void): Promise<() => void>;
}

export const tauriExchangeApi: ExchangeApi = {
  exportBundle: (request) => call<ExportSummary>('exchange_export', { request }),
  preview: (path) => call<ImportPreview>('exchange_preview', { path }),
  importBundle: (path, trustNewKey) => call<ImportSummary>('exchange_import', { path, trustNewKey }),
  cancel: async () => {
    await call<null>('exchange_cancel');
  },
  pickFile: (save, suggestedName) =>
    call<string | null>('exchange_pick_file', { save, suggestedName }),
  conflicts: () => call<ConflictSummary[]>('conflicts_list'),
  conflict: (id) => call<ConflictDetail>('conflict_get', { id }),
  resolve: (resolution) => call<RecordDetail>('conflict_resolve', { resolution }),
  keys: () => call<KnownKey[]>('keys_list'),
  removeKey: async (nodeId) => {
    await call<null>('keys_remove', { nodeId });
  },
  onProgress: (callback) =>
    listen<ExchangeProgress>(EXCHANGE_PROGRESS_EVENT, (event) => callback(event.payload)),
};
