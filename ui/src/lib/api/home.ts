import type { HomeOverview } from '../bindings/HomeOverview';
import { call } from './invoke';

/** Home: upcoming sessions, open questions by priority, recent notes, in one call. */
export interface HomeApi {
  /** `home_overview()` */
  overview(): Promise<HomeOverview>;
}

export const tauriHomeApi: HomeApi = {
  overview: () => call<HomeOverview>('home_overview'),
};
