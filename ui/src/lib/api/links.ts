import { call } from './invoke';

/** Links that leave the app. */
export interface LinksApi {
  /**
   * `open_external({ url })`: opens an http(s) or mailto URL in the system browser; rejects
   * with `invalid_url` for any other scheme.
   */
  openExternal(url: string): Promise<void>;
}

export const tauriLinksApi: LinksApi = {
  openExternal: (url) => call<undefined>('open_external', { url }),
};
