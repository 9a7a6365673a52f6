import { vi } from 'vitest';
import type { Api } from '../lib/api';
import { API_CONTEXT } from '../lib/api';
import type { ConflictDetail } from '../lib/bindings/ConflictDetail';
import type { ConflictSummary } from '../lib/bindings/ConflictSummary';
import type { ExchangeProgress } from '../lib/bindings/ExchangeProgress';
import type { BackupSummary } from '../lib/bindings/BackupSummary';
import type { ExportSummary } from '../lib/bindings/ExportSummary';
import type { HomeOverview } from '../lib/bindings/HomeOverview';
import type { ImportPreview } from '../lib/bindings/ImportPreview';
import type { ImportSummary } from '../lib/bindings/ImportSummary';
import type { KnownKey } from '../lib/bindings/KnownKey';
import type { PartnerOrg } from '../lib/bindings/PartnerOrg';
import type { RecordDetail } from '../lib/bindings/RecordDetail';
import type { RecordPage } from '../lib/bindings/RecordPage';
import type { RecordSummary } from '../lib/bindings/RecordSummary';
import type { RevisionEntry } from '../lib/bindings/RevisionEntry';
import type { AttachedFile } from '../lib/bindings/AttachedFile';
import type { CalendarSession } from '../lib/bindings/CalendarSession';
import type { FieldValueCount } from '../lib/bindings/FieldValueCount';
import type { ConsentGapsView } from '../lib/bindings/ConsentGapsView';
import type { ForgetPlanView } from '../lib/bindings/ForgetPlanView';
import type { ForgotView } from '../lib/bindings/ForgotView';
import type { InteropExport } from '../lib/bindings/InteropExport';
import type { InteropImport } from '../lib/bindings/InteropImport';
import type { MethodCard } from '../lib/bindings/MethodCard';
import type { QuestionCard } from '../lib/bindings/QuestionCard';
import type { SearchHit } from '../lib/bindings/SearchHit';
import type { SearchResults } from '../lib/bindings/SearchResults';
import type { WorkspaceStatus } from '../lib/bindings/WorkspaceStatus';
import { EMPTY_EVALUATION, EVALUATION_ITEMS, SAMPLE_DIFF, SAMPLE_FIGURES, SAMPLE_HISTORY, sampleCsvReport } from '../lib/learningFixtures';
import type { EvaluationFormInput } from '../lib/bindings/EvaluationFormInput';
import type { FollowUpDue } from '../lib/bindings/FollowUpDue';

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
  owner: {
    member: 'Åsa Łukasik',
    organisation: 'THL',
    organisation_id: 'p-fi',
    node_id: 'n1',
    fingerprint: '3f2a:9c41:77be:0d12:aa90:5e63:c4f8:1b07',
  },
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
    consent_missing: false,
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

export const EXPORT_SUMMARY: ExportSummary = {
  path: '/home/åsa/insisst-2026-11-27.insisst',
  bundle_id: 'b-01',
  records: 15,
  revisions: 17,
  attachments: 2,
  bytes: 1_500_000 as unknown as bigint,
  left_out_contacts: 3,
  counts: [
    { kind: 'note', count: 12 },
    { kind: 'session', count: 3 },
  ],
};

export const PREVIEW: ImportPreview = {
  path: '/tmp/from-sif.insisst',
  bundle_id: 'b-sif-7',
  format_version: '1',
  created_at: '2026-11-25T09:30:00Z',
  author: {
    member: 'Eline De Smet',
    organisation: 'SIF',
    node_id: 'node-sif',
    fingerprint: 'a1b2 c3d4 e5f6 0718',
  },
  signature: 'known_key',
  scope: 'tag "youth"',
  kinds: [
    { kind: 'note', new: 4, updated: 2, unchanged: 7, conflicting: 1, deleted: 0 },
    { kind: 'session', new: 1, updated: 0, unchanged: 3, conflicting: 0, deleted: 2 },
  ],
  total: { kind: 'all', new: 5, updated: 2, unchanged: 10, conflicting: 1, deleted: 2 },
  new_attachments: 3,
  seen_before: false,
};

export const CONFLICTS: ConflictSummary[] = [
  { id: 'note-7', kind: 'note', title: 'Study visit Århus', winner: '3-bbb', losers: ['3-aaa'] },
  { id: 'session-2', kind: 'session', title: 'Peer exchange Plzeň', winner: '4-ccc', losers: ['4-ddd', '4-eee'] },
];

export const KEYS: KnownKey[] = [
  {
    node_id: 'node-sif',
    member: 'Eline De Smet',
    organisation: 'SIF',
    fingerprint: 'a1b2 c3d4 e5f6 0718',
    first_seen: '2026-10-01T08:00:00Z',
    last_seen: '2026-11-25T09:31:00Z',
  },
  {
    node_id: 'node-cz',
    member: 'Jiří Dvořák',
    organisation: 'MoLSA',
    fingerprint: 'ffee ddcc bbaa 9988',
    first_seen: '2026-09-12T10:00:00Z',
    last_seen: '2026-09-12T10:00:00Z',
  },
];

/** A progress event as the Rust side sends it (numbers over JSON, typed bigint). */
export function progressEvent(phase: string, done: number, total: number): ExchangeProgress {
  return { phase, done: done as unknown as bigint, total: total as unknown as bigint };
}

/** Home's lists as home_overview returns them. */
export const OVERVIEW: HomeOverview = {
  upcoming_days: 14,
  upcoming: [
    {
      id: 'session-1',
      title: 'Peer exchange Plzeň',
      status: 'confirmed',
      session_kind: 'peer_exchange',
      starts_at: '2026-12-01T09:30',
      ends_at: '2026-12-01T16:00',
      timezone: 'Europe/Prague',
      starts_at_utc: '2026-12-01T08:30:00Z',
      venue: 'Plzeň',
    },
    {
      id: 'session-2',
      title: 'Study visit Århus',
      status: 'planned',
      session_kind: 'study_visit',
      starts_at: '2026-12-08T10:00',
      ends_at: '2026-12-09T15:00',
      timezone: 'Europe/Copenhagen',
      starts_at_utc: '2026-12-08T09:00:00Z',
      venue: null,
    },
  ],
  open_questions: [
    { id: 'question-1', title: 'How do we fund co-design?', priority: 'high', theme: 'funding', updated_at: '2026-11-20T10:00:00Z' },
    { id: 'question-2', title: 'What makes Łódź pilots last?', priority: 'medium', theme: null, updated_at: '2026-11-19T10:00:00Z' },
    { id: 'question-3', title: 'Who owns the data?', priority: null, theme: null, updated_at: '2026-11-18T10:00:00Z' },
  ],
  open_question_count: 12,
  recent_notes: [
    { id: 'note-1', kind: 'note', title: 'Workshop notes Jyväskylä', updated_at: '2026-11-26T10:00:00Z', tags: [], status: null, consent_missing: false },
    { id: 'note-2', kind: 'note', title: 'Reflection Ørsted', updated_at: '2026-11-25T10:00:00Z', tags: [], status: null, consent_missing: false },
  ],
};

export const EMPTY_OVERVIEW: HomeOverview = {
  upcoming_days: 14,
  upcoming: [],
  open_questions: [],
  open_question_count: 0,
  recent_notes: [],
};

/** A freshly created record, as record_create returns it. */
export function createdRecord(kind: string, fields: Record<string, unknown>): RecordDetail {
  const id = `${kind}-new`;
  return {
    id,
    kind,
    title: String(fields.title ?? ''),
    rev: '1-abc',
    created_at: '2026-11-27T10:00:00Z',
    updated_at: '2026-11-27T10:00:00Z',
    record: { id, kind, ...fields } as RecordDetail['record'],
    links: [],
    backlinks: [],
    schedule: null,
    revision_count: 1,
    body_html: null,
  };
}

export function fakeApi(overrides: {
  status?: Api['workspace']['status'];
  partners?: Api['workspace']['partners'];
  setup?: Api['workspace']['setup'];
  list?: Api['records']['list'];
  get?: Api['records']['get'];
  create?: Api['records']['create'];
  update?: Api['records']['update'];
  history?: Api['records']['history'];
  restore?: Api['records']['restore'];
  remove?: Api['records']['remove'];
  questions?: Api['records']['questions'];
  methods?: Api['records']['methods'];
  fieldValues?: Api['records']['fieldValues'];
  calendar?: Api['records']['calendar'];
  preview?: Api['records']['preview'];
  attach?: Api['records']['attach'];
  pickAttachment?: Api['records']['pickAttachment'];
  search?: Api['search']['query'];
  exchange?: Partial<Omit<Api['exchange'], 'onProgress'>>;
  overview?: Api['home']['overview'];
  settings?: Partial<Api['settings']>;
  openExternal?: Api['links']['openExternal'];
  learning?: Partial<Api['learning']>;
  interop?: Partial<Api['interop']>;
  privacy?: Partial<Api['privacy']>;
} = {}) {
  /** The listeners of `exchange-progress`; `emitProgress` calls them. */
  const progressListeners = new Set<(p: ExchangeProgress) => void>();
  const ex = overrides.exchange ?? {};
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
      create: vi.fn(overrides.create ?? (async (kind: string, fields: Record<string, unknown>) => createdRecord(kind, fields))),
      update: vi.fn(
        overrides.update ??
          (async (id: string): Promise<RecordDetail> => {
            throw { code: 'not_found', message: `No record ${id}` };
          }),
      ),
      history: vi.fn(overrides.history ?? (async (): Promise<RevisionEntry[]> => [])),
      restore: vi.fn(
        overrides.restore ??
          (async (id: string): Promise<RecordDetail> => {
            throw { code: 'not_found', message: `No record ${id}` };
          }),
      ),
      remove: vi.fn(overrides.remove ?? (async () => {})),
      questions: vi.fn(overrides.questions ?? (async (): Promise<QuestionCard[]> => [])),
      methods: vi.fn(overrides.methods ?? (async (): Promise<MethodCard[]> => [])),
      fieldValues: vi.fn(overrides.fieldValues ?? (async (): Promise<FieldValueCount[]> => [])),
      calendar: vi.fn(overrides.calendar ?? (async (): Promise<CalendarSession[]> => [])),
      preview: vi.fn(overrides.preview ?? (async (_id: string, body: string) => (body ? `<p>${body}</p>` : null))),
      attach: vi.fn(
        overrides.attach ??
          (async (): Promise<AttachedFile> => {
            throw { code: 'invalid', message: 'no attachments in this test' };
          }),
      ),
      pickAttachment: vi.fn(overrides.pickAttachment ?? (async (): Promise<AttachedFile | null> => null)),
    },
    home: {
      overview: vi.fn(overrides.overview ?? (async () => OVERVIEW)),
    },
    links: {
      openExternal: vi.fn(overrides.openExternal ?? (async () => {})),
    },
    learning: {
      takeReview: vi.fn(overrides.learning?.takeReview ?? (async () => ({ id: 'review-new', title: 'Agenda review — Workshop Łódź (2026-11-27)', questions: 4 }))),
      history: vi.fn(overrides.learning?.history ?? (async (threshold: number) => ({ ...SAMPLE_HISTORY, persistence_threshold: threshold }))),
      diff: vi.fn(overrides.learning?.diff ?? (async (from: string, to: string) => ({ ...SAMPLE_DIFF, from, to }))),
      evaluationItems: vi.fn(overrides.learning?.evaluationItems ?? (async () => EVALUATION_ITEMS)),
      evaluation: vi.fn(overrides.learning?.evaluation ?? (async (sessionId: string) => ({ ...EMPTY_EVALUATION, session_id: sessionId }))),
      recordForms: vi.fn(overrides.learning?.recordForms ?? (async (_sessionId: string, forms: EvaluationFormInput[]) => forms.map((_, i) => `evaluation-${i + 1}`))),
      pickCsv: vi.fn(overrides.learning?.pickCsv ?? (async (): Promise<string | null> => null)),
      importCsv: vi.fn(overrides.learning?.importCsv ?? (async (_sessionId: string, path: string, _due: string | null, dryRun: boolean) => sampleCsvReport(path, dryRun))),
      followupsDue: vi.fn(overrides.learning?.followupsDue ?? (async (): Promise<FollowUpDue[]> => [])),
      monitoring: vi.fn(overrides.learning?.monitoring ?? (async () => SAMPLE_FIGURES)),
      saveExport: vi.fn(overrides.learning?.saveExport ?? (async (): Promise<string | null> => null)),
    },
    interop: {
      pick: vi.fn(overrides.interop?.pick ?? (async () => null)),
      importFile: vi.fn(
        overrides.interop?.importFile ??
          (async (_format: string, path: string): Promise<InteropImport> => ({
            source: path,
            created: 0,
            updated: 0,
            unchanged: 0,
            skipped: 0,
            items: [],
            problems: [],
          })),
      ),
      exportFile: vi.fn(
        overrides.interop?.exportFile ??
          (async (_format: string, path: string): Promise<InteropExport> => ({
            target: path,
            written: 0,
            not_shareable_included: 0,
            not_shareable_left_out: 0,
            files: 0,
            messages: [],
          })),
      ),
      sessionToCalendar: vi.fn(overrides.interop?.sessionToCalendar ?? (async () => null)),
      report: vi.fn(overrides.interop?.report ?? (async () => ({ title: 'Report', html: '<h1>Report</h1>' }))),
      saveReport: vi.fn(overrides.interop?.saveReport ?? (async () => null)),
    },
    privacy: {
      consentGaps: vi.fn(overrides.privacy?.consentGaps ?? (async (): Promise<ConsentGapsView> => ({ count: 0, contacts: 0, listed: [] }))),
      forgetPlan: vi.fn(
        overrides.privacy?.forgetPlan ??
          (async (id: string): Promise<ForgetPlanView> => {
            throw { code: 'not_found', message: `No record ${id}` };
          }),
      ),
      forget: vi.fn(
        overrides.privacy?.forget ??
          (async (id: string): Promise<ForgotView> => ({ id, revisions: 1, links_cut: 0, files_purged: true })),
      ),
      personExport: vi.fn(overrides.privacy?.personExport ?? (async () => null)),
    },
    settings: {
      backup: vi.fn(
        overrides.settings?.backup ??
          (async (path: string): Promise<BackupSummary> => ({
            path,
            bytes: 2_400_000 as unknown as bigint,
            attachments: 3,
          })),
      ),
      restore: vi.fn(overrides.settings?.restore ?? (async (_backup: string, folder: string) => folder)),
      pickFile: vi.fn(overrides.settings?.pickFile ?? (async (): Promise<string | null> => null)),
      pickFolder: vi.fn(overrides.settings?.pickFolder ?? (async (): Promise<string | null> => null)),
    },
    search: {
      query: vi.fn(overrides.search ?? (async () => results([]))),
    },
    exchange: {
      exportBundle: vi.fn(ex.exportBundle ?? (async () => EXPORT_SUMMARY)),
      preview: vi.fn(ex.preview ?? (async (path: string) => ({ ...PREVIEW, path }))),
      importBundle: vi.fn(
        ex.importBundle ??
          (async (path: string): Promise<ImportSummary> => ({
            preview: { ...PREVIEW, path },
            key_recorded: false,
          })),
      ),
      cancel: vi.fn(ex.cancel ?? (async () => {})),
      pickFile: vi.fn(ex.pickFile ?? (async (): Promise<string | null> => null)),
      conflicts: vi.fn(ex.conflicts ?? (async (): Promise<ConflictSummary[]> => [])),
      conflict: vi.fn(
        ex.conflict ??
          (async (id: string): Promise<ConflictDetail> => {
            throw { code: 'not_found', message: `No conflict on ${id}` };
          }),
      ),
      resolve: vi.fn(
        ex.resolve ??
          (async (resolution): Promise<RecordDetail> => {
            throw { code: 'not_found', message: `No conflict on ${resolution.id}` };
          }),
      ),
      keys: vi.fn(ex.keys ?? (async (): Promise<KnownKey[]> => [])),
      removeKey: vi.fn(ex.removeKey ?? (async () => {})),
      onProgress: vi.fn(async (callback: (p: ExchangeProgress) => void) => {
        progressListeners.add(callback);
        return () => {
          progressListeners.delete(callback);
        };
      }),
    },
  } satisfies Api;
  return Object.assign(api, {
    /** Send an `exchange-progress` event to whoever listens. */
    emitProgress(progress: ExchangeProgress): void {
      for (const listener of progressListeners) listener(progress);
    },
    progressListeners,
  });
}

export function withApi(api: Api): { context: Map<symbol, Api> } {
  return { context: new Map([[API_CONTEXT, api]]) };
}
