import { vi } from 'vitest';
import type { Api } from '../lib/api';
import { API_CONTEXT } from '../lib/api';
import type { PartnerOrg } from '../lib/bindings/PartnerOrg';
import type { RecordDetail } from '../lib/bindings/RecordDetail';
import type { RecordPage } from '../lib/bindings/RecordPage';
import type { RecordSummary } from '../lib/bindings/RecordSummary';
import type { SearchHit } from '../lib/bindings/SearchHit';
import type { SearchResults } from '../lib/bindings/SearchResults';
import type { WorkspaceStatus } from '../lib/bindings/WorkspaceStatus';

export const PARTNERS: PartnerOrg[] = [
  { id: 'p-be', name: 'Sociale InnovatieFabriek', short_name: 'SIF', country: 'BE' },
  { id: 'p-ie1', name: 'Rethink Ireland', short_name: 'Rethink', country: 'IE' },
  { id: 'p-ie2', name: 'Genio', short_name: 'Genio', country: 'IE' },
  { id: 'p-fi', name: 'THL — Finnish Institute for Health and Welfare', short_name: 'THL', country: 'FI' },
  { id: 'p-cz', name: 'MoLSA — Ministry of Labour and Social Affairs', short_name: 'MoLSA', country: 'CZ' },
  { id: 'p-pl', name: 'Shipyard Foundation', short_name: 'Shipyard', country: 'PL' },
  { id: 'p-dk', name: 'Social Innovation Academy', short_name: 'SIA', country: 'DK' },
];

export const READY_STATUS: WorkspaceStatus = {
  path: '/home/åsa/Insisst',
  ready: true,
  owner: { member: 'Åsa Łukasik', organisation: 'THL', organisation_id: 'p-fi', node_id: 'n1' },
  counts: [
    { kind: 'note', count: 12 },
    { kind: 'session', count: 3 },
  ],
};

export function summary(i: number, kind = 'note'): RecordSummary {
  return {
    id: `${kind}-${i}`,
    kind,
    title: `Record ${i} — Øresund čř łż`,
    updated_at: '2026-11-20T10:15:00Z',
    tags: i % 2 === 0 ? ['pilot', 'housing'] : [],
    status: i % 3 === 0 ? 'open' : null,
  };
}

/** A records_list that serves `total` generated records, like the real one. */
export function pagedList(total: number, kind = 'note') {
  return vi.fn(async (_kind: string, offset: number, limit: number): Promise<RecordPage> => {
    const records: RecordSummary[] = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) records.push(summary(i, kind));
    return { records, total, offset };
  });
}

/** A search hit; the snippet is HTML as the core makes it (text escaped, matches in <b>). */
export function hit(i: number, kind = 'note', title = `Record ${i} — Århus`): SearchHit {
  return { id: `${kind}-${i}`, kind, title, snippet: `Notes from <b>Århus</b> #${i}`, score: 10 - i };
}

/** Search results around `hits`; facets empty unless given. */
export function results(hits: SearchHit[], more: Partial<SearchResults> = {}): SearchResults {
  return { total: hits.length, hits, facets: { kind: [], tag: [], org: [] }, fuzzy: false, ...more };
}

export function fakeApi(overrides: {
  status?: Api['workspace']['status'];
  partners?: Api['workspace']['partners'];
  setup?: Api['workspace']['setup'];
  list?: Api['records']['list'];
  get?: Api['records']['get'];
  search?: Api['search']['query'];
} = {}) {
  const api = {
    workspace: {
      status: vi.fn(overrides.status ?? (async () => READY_STATUS)),
      partners: vi.fn(overrides.partners ?? (async () => PARTNERS)),
      setup: vi.fn(overrides.setup ?? (async () => READY_STATUS)),
    },
    records: {
      list: vi.fn(overrides.list ?? pagedList(0)),
      get: vi.fn(
        overrides.get ??
          (async (id: string): Promise<RecordDetail> => {
            throw { code: 'not_found', message: `No record ${id}` };
          }),
      ),
    },
    search: {
      query: vi.fn(overrides.search ?? (async () => results([]))),
    },
  } satisfies Api;
  return api;
}

export function withApi(api: Api): { context: Map<symbol, Api> } {
  return { context: new Map([[API_CONTEXT, api]]) };
}
