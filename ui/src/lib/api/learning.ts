import type { CsvImportResult } from '../bindings/CsvImportResult';
import type { EvaluationFormInput } from '../bindings/EvaluationFormInput';
import type { EvaluationItems } from '../bindings/EvaluationItems';
import type { FollowUpDue } from '../bindings/FollowUpDue';
import type { LearningTimeline } from '../bindings/LearningTimeline';
import type { MonitoringFigures } from '../bindings/MonitoringFigures';
import type { MonitoringRequest } from '../bindings/MonitoringRequest';
import type { ReviewComparison } from '../bindings/ReviewComparison';
import type { SessionEvaluationSummary } from '../bindings/SessionEvaluationSummary';
import type { TakenReview } from '../bindings/TakenReview';
import { call } from './invoke';

/**
 * The learning agenda over time (reviews, their differences, the learning history),
 * evaluations of sessions, and the monitoring dashboard.
 */
export interface LearningApi {
  /** `review_take({ sessionId, remarks })`: a review of every question as it stands now. */
  takeReview(sessionId: string, remarks: string | null): Promise<TakenReview>;
  /** `learning_history({ persistenceThreshold })`: reviews oldest first, every question across them. */
  history(persistenceThreshold: number): Promise<LearningTimeline>;
  /** `review_diff({ from, to })`: review `from` (before) against `to` (after). */
  diff(from: string, to: string): Promise<ReviewComparison>;
  /** `evaluation_items()`: the fixed items of reaction and learning forms. */
  evaluationItems(): Promise<EvaluationItems>;
  /** `evaluation_summary({ sessionId })`: a session's evaluation at a glance. */
  evaluation(sessionId: string): Promise<SessionEvaluationSummary>;
  /** `evaluation_record({ sessionId, forms })`: all or none; the new records' ids. */
  recordForms(sessionId: string, forms: EvaluationFormInput[]): Promise<string[]>;
  /** `evaluation_pick_csv()`: the system's file dialog for a survey export; null if cancelled. */
  pickCsv(): Promise<string | null>;
  /** `evaluation_import_csv({ sessionId, path, followUpDue, dryRun })`: the per-row report. */
  importCsv(sessionId: string, path: string, followUpDue: string | null, dryRun: boolean): Promise<CsvImportResult>;
  /** `followups_due()`: behaviour follow-ups whose day has come, most overdue first. */
  followupsDue(): Promise<FollowUpDue[]>;
  /** `monitoring_figures({ request })`: the dashboard over a period and partner. */
  monitoring(request: MonitoringRequest): Promise<MonitoringFigures>;
  /**
   * `chart_export_save({ suggestedName, contents })`: the save dialog, then the bytes written
   * there (CSV, SVG or PNG by the name's extension). The path, or null if cancelled.
   */
  saveExport(suggestedName: string, contents: Uint8Array): Promise<string | null>;
}

export const tauriLearningApi: LearningApi = {
  takeReview: (sessionId, remarks) => call<TakenReview>('review_take', { sessionId, remarks }),
  history: (persistenceThreshold) => call<LearningTimeline>('learning_history', { persistenceThreshold }),
  diff: (from, to) => call<ReviewComparison>('review_diff', { from, to }),
  evaluationItems: () => call<EvaluationItems>('evaluation_items'),
  evaluation: (sessionId) => call<SessionEvaluationSummary>('evaluation_summary', { sessionId }),
  recordForms: (sessionId, forms) => call<string[]>('evaluation_record', { sessionId, forms }),
  pickCsv: () => call<string | null>('evaluation_pick_csv'),
  importCsv: (sessionId, path, followUpDue, dryRun) =>
    call<CsvImportResult>('evaluation_import_csv', { sessionId, path, followUpDue, dryRun }),
  followupsDue: () => call<FollowUpDue[]>('followups_due'),
  monitoring: (request) => call<MonitoringFigures>('monitoring_figures', { request }),
  // A Vec<u8> crosses IPC as a JSON array of numbers (a typed array would become an object).
  saveExport: (suggestedName, contents) =>
    call<string | null>('chart_export_save', { suggestedName, contents: Array.from(contents) }),
};
