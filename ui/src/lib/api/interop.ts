import type { InteropExport } from '../bindings/InteropExport';
import type { InteropImport } from '../bindings/InteropImport';
import type { ReportView } from '../bindings/ReportView';
import { call } from './invoke';

/** The formats other programs read and write: contacts, calendars, notes. */
export type FileFormat = 'vcard' | 'ics' | 'markdown';

/** Files of other programs (vCard, iCalendar, Markdown folders) and printable reports. */
export interface InteropApi {
  /** `interop_pick({ format, save, suggestedName })`: a file (a folder for Markdown); null when cancelled. */
  pick(format: FileFormat, save: boolean, suggestedName: string | null): Promise<string | null>;
  /** `interop_import({ format, path })`: valid items in, each refused one reported with why. */
  importFile(format: FileFormat, path: string): Promise<InteropImport>;
  /** `interop_export({ format, path, tag, shareableOnly })` */
  exportFile(format: FileFormat, path: string, tag: string | null, shareableOnly: boolean): Promise<InteropExport>;
  /** `session_to_calendar({ id })`: "Add to calendar", an .ics where the person chooses; null when cancelled. */
  sessionToCalendar(id: string): Promise<InteropExport | null>;
  /** `report_view({ id })`: a session's report, or the learning agenda's without an id. */
  report(id: string | null): Promise<ReportView>;
  /** `report_save({ id })`: the report as an HTML file; the path, or null when cancelled. */
  saveReport(id: string | null): Promise<string | null>;
}

export const tauriInteropApi: InteropApi = {
  pick: (format, save, suggestedName) => call<string | null>('interop_pick', { format, save, suggestedName }),
  importFile: (format, path) => call<InteropImport>('interop_import', { format, path }),
  exportFile: (format, path, tag, shareableOnly) =>
    call<InteropExport>('interop_export', { format, path, tag, shareableOnly }),
  sessionToCalendar: (id) => call<InteropExport | null>('session_to_calendar', { id }),
  report: (id) => call<ReportView>('report_view', { id }),
  saveReport: (id) => call<string | null>('report_save', { id }),
};
