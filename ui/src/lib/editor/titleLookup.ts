/**
 * Titles for `[[` completion, from the search index (prefix match on what was typed, any
 * kind) or, before anything is typed, the most recently changed notes. While the index is
 * still being built it offers nothing rather than an error: typing goes on.
 */
import type { Api } from '../api';
import { t } from '../i18n';
import { isKind, kindOneLabelKey } from '../kinds';
import type { TitleLookup } from './markdownEditor';

const LIMIT = 8;

function kindDetail(kind: string): string {
  return isKind(kind) ? t(kindOneLabelKey(kind)) : kind;
}

export function titleLookup(api: Api, exceptId?: string): TitleLookup {
  return async (typed) => {
    try {
      if (typed.trim() === '') {
        const page = await api.records.list('note', 0, LIMIT + 1);
        return page.records
          .filter((r) => r.id !== exceptId)
          .slice(0, LIMIT)
          .map((r) => ({ title: r.title, detail: kindDetail(r.kind) }));
      }
      const found = await api.search.query({ query: typed, as_you_type: true, kind: null, limit: LIMIT + 1 });
      const seen = new Set<string>();
      return found.hits
        .filter((h) => h.id !== exceptId && h.title.trim() !== '' && !seen.has(h.title) && seen.add(h.title))
        .slice(0, LIMIT)
        .map((h) => ({ title: h.title, detail: kindDetail(h.kind) }));
    } catch {
      return [];
    }
  };
}
