/**
 * Helpers of the search palette that need no component: what to ask the core, and how a
 * facet chip edits the query text. The query language itself is the core's
 * (crates/insisst-core/src/search/query.rs); these only add or remove whole filter tokens.
 */
import type { PartnerOrg } from './bindings/PartnerOrg';
import type { SearchRequest } from './bindings/SearchRequest';

/** Wait this long after the last keystroke before asking (ms). */
export const SEARCH_DEBOUNCE_MS = 20;

/** The request for what is typed: the last word is a prefix unless a space follows it. */
export function searchRequest(query: string, kind: string | null): SearchRequest {
  return { query, as_you_type: !/\s$/.test(query), kind, limit: null };
}

/** Whitespace-separated tokens, quoted parts kept whole (`org:"A B"` is one token). */
function tokens(query: string): string[] {
  return query.match(/-?(?:"[^"]*"?|[^\s"]+)+/g) ?? [];
}

/** Whether the query already holds the filter token (case-insensitive). */
export function hasFilter(query: string, filter: string): boolean {
  const wanted = filter.toLowerCase();
  return tokens(query).some((token) => token.toLowerCase() === wanted);
}

/**
 * The query with `filter` (e.g. `tag:youth`) added. The core matches only the last word
 * as a prefix, and only while it is last: so when a word is still being typed (no space
 * after it), the filter goes before that word, which stays a prefix; otherwise at the end.
 */
export function addFilter(query: string, filter: string): string {
  if (hasFilter(query, filter)) return query;
  const inQuote = (query.match(/"/g)?.length ?? 0) % 2 === 1;
  const open = inQuote ? null : /(^|\s)([^\s"]+)$/.exec(query);
  if (open && open[2] !== undefined && !open[2].includes(':') && !open[2].startsWith('-')) {
    const head = query.slice(0, open.index + (open[1] ?? '').length);
    return `${head}${filter} ${open[2]}`;
  }
  // An unclosed quote is closed first, so that the filter is not read as part of the phrase.
  const trimmed = inQuote ? `${query.trimEnd()}"` : query.trimEnd();
  return trimmed === '' ? `${filter} ` : `${trimmed} ${filter} `;
}

/** The query without the filter token (case-insensitive), spacing tidied. */
export function removeFilter(query: string, filter: string): string {
  const wanted = filter.toLowerCase();
  const kept = tokens(query).filter((token) => token.toLowerCase() !== wanted);
  const trailing = /\s$/.test(query) && kept.length > 0 ? ' ' : '';
  return kept.join(' ') + trailing;
}

/** The `tag:` filter for a tag facet, or null for a tag the query language cannot name. */
export function tagFilter(value: string): string | null {
  return /^[^\s"]+$/.test(value) ? `tag:${value}` : null;
}

/**
 * The `org:` filter for an organisation facet, or null when none can name it exactly.
 * The core's `org:` takes one token: a partner's short name (facets give the partner's
 * full title, so it is mapped back) or an organisation's exact one-word title.
 */
export function orgFilter(value: string, partners: readonly PartnerOrg[]): string | null {
  const partner = partners.find((p) => p.name === value || p.short_name === value);
  const name = partner && !/\s|"/.test(partner.short_name) ? partner.short_name : value;
  return /^[^\s":]+$/.test(name) ? `org:${name}` : null;
}

/** Whether an error is the core's "index still being built" (retry when the user types). */
export function isIndexBuilding(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'index_building';
}
