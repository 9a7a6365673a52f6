import type { SearchRequest } from '../bindings/SearchRequest';
import type { SearchResults } from '../bindings/SearchResults';
import { call } from './invoke';

/**
 * The one search box: words, "phrases", -exclusions and `kind:` `tag:` `org:` … filters,
 * ranked hits with sanitised snippets and facet counts. While the index is still being
 * built (just after start) the call rejects with `{code: "index_building"}`.
 */
export interface SearchApi {
  /** `search_query({ request })` */
  query(request: SearchRequest): Promise<SearchResults>;
}

export const tauriSearchApi: SearchApi = {
  query: (request) => call<SearchResults>('search_query', { request }),
};
