/**
 * The Exchange part of the in-memory preview Api: simulated exports and imports with
 * progress events and cancel, a few conflicts to resolve, a keyring. Dev only.
 */
import type { ExchangeApi } from '../lib/api';
import type { ConflictDetail } from '../lib/bindings/ConflictDetail';
import type { ConflictSummary } from '../lib/bindings/ConflictSummary';
import type { ExchangeProgress } from '../lib/bindings/ExchangeProgress';
import type { ImportPreview } from '../lib/bindings/ImportPreview';
import type { KnownKey } from '../lib/bindings/KnownKey';
import type { RecordDetail } from '../lib/bindings/RecordDetail';
import type { JsonValue } from '../lib/bindings/serde_json/JsonValue';

type Json = { [key in string]?: JsonValue };

export interface MemoryRecord {
  id: string;
  kind: string;
  title: string;
  record: Json;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createMemoryExchange(deps: {
  /** A few records to put in conflict. */
  conflicted: MemoryRecord[];
  get: (id: string) => Promise<RecordDetail>;
  /** Apply resolved content to the stored record. */
  put: (id: string, record: Json) => void;
}): ExchangeApi {
  const listeners = new Set<(p: ExchangeProgress) => void>();
  let cancelled = false;
  let keys: KnownKey[] = [
    {
      node_id: 'node-sif',
      member: 'Eline De Smet',
      organisation: 'SIF',
      fingerprint: '3f9a 11c0 7be2 94d5 0a6e 5c1b 88f2 d047',
      first_seen: '2026-09-14T08:12:00Z',
      last_seen: '2026-11-20T16:40:00Z',
    },
  ];
  const conflicts = new Map<string, ConflictDetail>();
  for (const [i, r] of deps.conflicted.entries()) {
    const theirs: Json = { ...r.record, title: `${r.title} (revised)`, tags: ['pilot', 'shared'] };
    if (typeof r.record.body === 'string') theirs.body = `${r.record.body}\n\nAdded in Gent: what the city learned.`;
    conflicts.set(r.id, {
      id: r.id,
      kind: r.kind,
      title: r.title,
      versions: [
        {
          rev: `3-${'a'.repeat(8)}${i}`,
          is_winner: true,
          author: 'Päivi Mäkelä',
          author_org: 'THL',
          created_at: '2026-11-21T10:00:00Z',
          record: r.record as JsonValue,
        },
        {
          rev: `3-${'b'.repeat(8)}${i}`,
          is_winner: false,
          author: 'Eline De Smet',
          author_org: 'SIF',
          created_at: '2026-11-20T15:30:00Z',
          record: theirs as JsonValue,
        },
      ],
    });
  }

  async function job(phase: string, total: number): Promise<void> {
    cancelled = false;
    for (let done = 0; done <= total; done += Math.ceil(total / 40)) {
      if (cancelled) throw { code: 'cancelled', message: 'Cancelled.' };
      const progress = { phase, done: done as unknown as bigint, total: total as unknown as bigint };
      for (const l of listeners) l(progress);
      await sleep(50);
    }
  }

  function preview(path: string): ImportPreview {
    const changed = path.includes('changed');
    return {
      path,
      bundle_id: '01JDX4Q8ZJ3V0',
      format_version: '1',
      created_at: '2026-11-25T09:30:00Z',
      author: {
        member: 'Eline De Smet',
        organisation: 'SIF',
        node_id: 'node-sif',
        fingerprint: changed ? '77aa 0b1c 2d3e 4f50 6172 8394 a5b6 c7d8' : '3f9a 11c0 7be2 94d5 0a6e 5c1b 88f2 d047',
      },
      signature: changed ? 'changed_key' : path.includes('new') ? 'new_author' : 'known_key',
      scope: 'tag "youth"',
      kinds: [
        { kind: 'note', new: 42, updated: 5, unchanged: 120, conflicting: 1, deleted: 0 },
        { kind: 'session', new: 2, updated: 1, unchanged: 8, conflicting: 0, deleted: 1 },
        { kind: 'contact', new: 3, updated: 0, unchanged: 11, conflicting: 0, deleted: 0 },
      ],
      total: { kind: 'all', new: 47, updated: 6, unchanged: 139, conflicting: 1, deleted: 1 },
      new_attachments: 4,
      seen_before: path.includes('again'),
    };
  }

  return {
    exportBundle: async (request) => {
      await job('export', 1800);
      return {
        path: request.path,
        bundle_id: '01JDX5A1B2C3D',
        records: 1800,
        revisions: 1812,
        attachments: 6,
        bytes: 4_812_344 as unknown as bigint,
        left_out_contacts: 3,
        counts: [
          { kind: 'note', count: 1700 },
          { kind: 'session', count: 40 },
          { kind: 'contact', count: 4 },
          { kind: 'question', count: 56 },
        ],
      };
    },
    preview: async (path) => {
      if (path.includes('bad')) {
        throw { code: 'bad_signature', message: `The bundle ${path} is not signed by its author: refused` };
      }
      await job('check', 400);
      return preview(path);
    },
    importBundle: async (path, trustNewKey) => {
      const p = preview(path);
      if (p.signature === 'changed_key' && !trustNewKey) {
        throw { code: 'changed_key', message: 'The author’s key changed: confirm it first' };
      }
      await job('apply', 200);
      return { preview: p, key_recorded: p.signature !== 'known_key' };
    },
    cancel: async () => {
      cancelled = true;
    },
    pickFile: async (save, suggestedName) =>
      save ? `/home/päivi/Documents/${suggestedName ?? 'bundle.insisst'}` : '/home/päivi/Downloads/from-sif.insisst',
    conflicts: async () =>
      [...conflicts.values()].map(
        (c): ConflictSummary => ({
          id: c.id,
          kind: c.kind,
          title: c.title,
          winner: c.versions[0]?.rev ?? '',
          losers: c.versions.slice(1).map((v) => v.rev),
        }),
      ),
    conflict: async (id) => {
      const c = conflicts.get(id);
      if (!c) throw { code: 'not_found', message: `No conflict on ${id}` };
      return c;
    },
    resolve: async (resolution) => {
      const c = conflicts.get(resolution.id);
      if (!c) throw { code: 'not_found', message: `No conflict on ${resolution.id}` };
      const picked = c.versions.find((v) => v.rev === resolution.pick);
      const content = picked ? picked.record : resolution.content;
      if (content && typeof content === 'object' && !Array.isArray(content)) deps.put(c.id, content);
      conflicts.delete(c.id);
      return deps.get(c.id);
    },
    keys: async () => keys,
    removeKey: async (nodeId) => {
      keys = keys.filter((k) => k.node_id !== nodeId);
    },
    onProgress: async (callback) => {
      listeners.add(callback);
      return () => {
        listeners.delete(callback);
      };
    },
  };
}
