import { getContext, setContext } from 'svelte';
import { tauriExchangeApi, type ExchangeApi } from './exchange';
import { tauriHomeApi, type HomeApi } from './home';
import { tauriLearningApi, type LearningApi } from './learning';
import { tauriInteropApi, type InteropApi } from './interop';
import { tauriLinksApi, type LinksApi } from './links';
import { tauriPrivacyApi, type PrivacyApi } from './privacy';
import { tauriRecordsApi, type RecordsApi } from './records';
import { tauriSearchApi, type SearchApi } from './search';
import { tauriSettingsApi, type SettingsApi } from './settings';
import { tauriWorkspaceApi, type WorkspaceApi } from './workspace';

export type { ExchangeApi, HomeApi, InteropApi, PrivacyApi, LinksApi, RecordsApi, SearchApi, SettingsApi, WorkspaceApi };
export type { LearningApi };
export { errorMessage, toAppError, type AppError } from './errors';

/** Everything the UI asks of the Rust side, one member per domain. */
export interface Api {
  workspace: WorkspaceApi;
  records: RecordsApi;
  search: SearchApi;
  exchange: ExchangeApi;
  home: HomeApi;
  settings: SettingsApi;
  links: LinksApi;
  learning: LearningApi;
  interop: InteropApi;
  privacy: PrivacyApi;
}

/** The real implementation: Tauri commands through `invoke`. */
export function createTauriApi(): Api {
  return {
    workspace: tauriWorkspaceApi,
    records: tauriRecordsApi,
    search: tauriSearchApi,
    exchange: tauriExchangeApi,
    home: tauriHomeApi,
    settings: tauriSettingsApi,
    links: tauriLinksApi,
    learning: tauriLearningApi,
    interop: tauriInteropApi,
    privacy: tauriPrivacyApi,
  };
}

/** Context key; tests mount components with `context: new Map([[API_CONTEXT, fakeApi]])`. */
export const API_CONTEXT = Symbol('insisst.api');

export function setApi(api: Api): Api {
  return setContext(API_CONTEXT, api);
}

export function getApi(): Api {
  const api = getContext<Api | undefined>(API_CONTEXT);
  if (!api) throw new Error('No Api in context: mount the app with setApi() or a context map.');
  return api;
}
