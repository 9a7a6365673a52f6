import type { ConsentGapsView } from '../bindings/ConsentGapsView';
import type { ForgetPlanView } from '../bindings/ForgetPlanView';
import type { ForgotView } from '../bindings/ForgotView';
import { call } from './invoke';

/** A person export's format. */
export type PersonExportFormat = 'json' | 'md' | 'html';

/** Personal data: consent gaps, forgetting a person, a person's data on request. */
export interface PrivacyApi {
  /** `consent_gaps()`: contacts without a lawful basis, how many and the first few. */
  consentGaps(): Promise<ConsentGapsView>;
  /** `forget_plan({ id })`: what forgetting contact `id` will do. */
  forgetPlan(id: string): Promise<ForgetPlanView>;
  /** `contact_forget({ id, expectedTitle })`: refused when the contact is no longer that person. */
  forget(id: string, expectedTitle: string): Promise<ForgotView>;
  /** `person_export_save({ id, format })`: the file's path, or null when cancelled. */
  personExport(id: string, format: PersonExportFormat): Promise<string | null>;
}

export const tauriPrivacyApi: PrivacyApi = {
  consentGaps: () => call<ConsentGapsView>('consent_gaps'),
  forgetPlan: (id) => call<ForgetPlanView>('forget_plan', { id }),
  forget: (id, expectedTitle) => call<ForgotView>('contact_forget', { id, expectedTitle }),
  personExport: (id, format) => call<string | null>('person_export_save', { id, format }),
};
