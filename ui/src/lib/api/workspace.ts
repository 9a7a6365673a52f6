import type { PartnerOrg } from '../bindings/PartnerOrg';
import type { SetupRequest } from '../bindings/SetupRequest';
import type { WorkspaceStatus } from '../bindings/WorkspaceStatus';
import { call } from './invoke';

/** The workspace itself: whether it is set up, who owns it, counts; first-start setup. */
export interface WorkspaceApi {
  /** `workspace_status()` */
  status(): Promise<WorkspaceStatus>;
  /** `workspace_partners()`: the seven consortium partners, seeded in every workspace. */
  partners(): Promise<PartnerOrg[]>;
  /** `workspace_setup({ request })`: first start; returns the new status. */
  setup(request: SetupRequest): Promise<WorkspaceStatus>;
}

export const tauriWorkspaceApi: WorkspaceApi = {
  status: () => call<WorkspaceStatus>('workspace_status'),
  partners: () => call<PartnerOrg[]>('workspace_partners'),
  setup: (request) => call<WorkspaceStatus>('workspace_setup', { request }),
};
