import type { BackupSummary } from '../bindings/BackupSummary';
import { call } from './invoke';

/** Settings: backups of the workspace and restoring one into a new folder. */
export interface SettingsApi {
  /** `backup_create({ path })`: a zip of the database and attachments at `path`. */
  backup(path: string): Promise<BackupSummary>;
  /**
   * `backup_restore({ backup, folder })`: restores into `folder`, which must be empty or
   * new; the open workspace is not touched. Resolves with the restored folder.
   */
  restore(backup: string, folder: string): Promise<string>;
  /** `backup_pick_file({ save, suggestedName })`: the system's file dialog; null if cancelled. */
  pickFile(save: boolean, suggestedName: string | null): Promise<string | null>;
  /** `backup_pick_folder()`: the system's folder dialog; null if cancelled. */
  pickFolder(): Promise<string | null>;
}

export const tauriSettingsApi: SettingsApi = {
  backup: (path) => call<BackupSummary>('backup_create', { path }),
  restore: (backup, folder) => call<string>('backup_restore', { backup, folder }),
  pickFile: (save, suggestedName) => call<string | null>('backup_pick_file', { save, suggestedName }),
  pickFolder: () => call<string | null>('backup_pick_folder'),
};
