/**
 * An in-memory Api with generated data, for working on the UI without the Rust side:
 * `npm run dev`, then open /preview.html (add `?fresh` for the first-start screen).
 * Dev only: not part of the build (vite builds index.html alone).
 */
import type { AttachedFile } from '../lib/bindings/AttachedFile';
import type { CalendarSession } from '../lib/bindings/CalendarSession';
import type { FieldFilter } from '../lib/bindings/FieldFilter';
import type { FieldValueCount } from '../lib/bindings/FieldValueCount';
import type { MethodCard } from '../lib/bindings/MethodCard';
import type { Api } from '../lib/api';
import type { HomeOverview } from '../lib/bindings/HomeOverview';
import type { LinkRef } from '../lib/bindings/LinkRef';
import type { PartnerOrg } from '../lib/bindings/PartnerOrg';
import type { RecordDetail } from '../lib/bindings/RecordDetail';
import type { RecordSummary } from '../lib/bindings/RecordSummary';
import type { QuestionCard } from '../lib/bindings/QuestionCard';
import type { RevisionEntry } from '../lib/bindings/RevisionEntry';
import type { ScheduledBlock } from '../lib/bindings/ScheduledBlock';
import type { SearchHit } from '../lib/bindings/SearchHit';
import type { SearchRequest } from '../lib/bindings/SearchRequest';
import type { SearchResults } from '../lib/bindings/SearchResults';
import type { JsonValue } from '../lib/bindings/serde_json/JsonValue';
import type { WorkspaceStatus } from '../lib/bindings/WorkspaceStatus';
import { KINDS } from '../lib/kinds';
import { createMemoryExchange } from './memoryExchange';
import { EVALUATION_ITEMS, SAMPLE_DIFF, SAMPLE_EVALUATION, SAMPLE_FIGURES, SAMPLE_HISTORY, sampleCsvReport } from '../lib/learningFixtures';

type Json = { [key in string]?: JsonValue };
interface Stored {
  summary: RecordSummary;
  record: Json;
  links: LinkRef[];
  /** Earlier contents, oldest first (the current one is `record`). */
  past?: { record: Json; at: string; deleted?: boolean }[];
  deleted?: boolean;
}

const PARTNERS: PartnerOrg[] = [
  { id: 'org-be', name: 'Sociale InnovatieFabriek', short_name: 'SIF', country: 'BE' },
  { id: 'org-ie-rethink', name: 'Rethink Ireland', short_name: 'Rethink Ireland', country: 'IE' },
  { id: 'org-ie-genio', name: 'Genio', short_name: 'Genio', country: 'IE' },
  { id: 'org-fi', name: 'THL — Finnish Institute for Health and Welfare', short_name: 'THL', country: 'FI' },
  { id: 'org-cz', name: 'MoLSA — Ministry of Labour and Social Affairs', short_name: 'MoLSA', country: 'CZ' },
  { id: 'org-pl', name: 'Shipyard Foundation', short_name: 'Shipyard', country: 'PL' },
  { id: 'org-dk', name: 'Social Innovation Academy', short_name: 'SIA', country: 'DK' },
];

const PLACES = ['Århus', 'Plzeň', 'Łódź', 'Gdańsk', 'Jyväskylä', 'Brno', 'Gent', 'Cork', 'Ørsted', 'Kraków'];
const TOPICS = ['housing first', 'youth employment', 'social procurement', 'impact bonds', 'co-design', 'long-term care', 'digital inclusion'];
const PEOPLE = ['Søren Østergaard', 'Jiří Dvořák', 'Łucja Żak', 'Aoife Ní Bhriain', 'Päivi Mäkelä', 'Eline De Smet', 'Řehoř Čapek'];
const TAGS = ['pilot', 'housing', 'evaluation', 'youth', 'policy', 'co-design'];

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length] as T;
}

function iso(daysAgo: number): string {
  return new Date(Date.UTC(2026, 10, 26, 12) - daysAgo * 3_600_000).toISOString();
}

function schedule(record: Json): ScheduledBlock[] | null {
  const agenda = record.agenda;
  const starts = record.starts_at;
  if (!Array.isArray(agenda) || typeof starts !== 'string') return null;
  const [date = '', time = '09:00'] = starts.split('T');
  const [h = 9, m = 0] = time.split(':').map(Number);
  const dayStart = h * 60 + m;
  let day = 1;
  let minute = dayStart;
  const fmt = (d: number, min: number) => {
    const dt = new Date(`${date}T00:00:00Z`);
    dt.setUTCDate(dt.getUTCDate() + d - 1);
    const hh = String(Math.floor(min / 60)).padStart(2, '0');
    const mm = String(min % 60).padStart(2, '0');
    return `${dt.toISOString().slice(0, 10)}T${hh}:${mm}`;
  };
  return agenda.map((block, index) => {
    const b = (block ?? {}) as Json;
    if (b.day_break === true) {
      day += 1;
      minute = dayStart;
    }
    const minutes = typeof b.minutes === 'number' ? b.minutes : 0;
    const out: ScheduledBlock = {
      index,
      title: String(b.title ?? ''),
      starts_at: fmt(day, minute),
      ends_at: fmt(day, minute + minutes),
      minutes,
      day,
    };
    minute += minutes;
    return out;
  });
}

/** Lower case without diacritics, for matching (`Århus` → `arhus`, `Łódź` → `lodz`). */
function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/ł/g, 'l')
    .replace(/ø/g, 'o')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Edit distance, a transposition counting as one (like the core's); 3 means "far". */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

interface PreviewQuery {
  words: string[];
  phrases: string[];
  exclude: string[];
  filters: Array<[string, string]>;
  prefixLast: boolean;
}

/** A small version of the core's query language: words, "phrases", -words, key:value. */
function parseQuery(request: SearchRequest): PreviewQuery {
  const q: PreviewQuery = { words: [], phrases: [], exclude: [], filters: [], prefixLast: false };
  const tokens = request.query.match(/-?(?:"[^"]*"?|[^\s"]+)/g) ?? [];
  let lastWord = false;
  for (const token of tokens) {
    lastWord = false;
    const negated = token.startsWith('-') && token.length > 1;
    const body = negated ? token.slice(1) : token;
    if (body.startsWith('"')) {
      const phrase = fold(body.replace(/"/g, '').trim());
      if (phrase) (negated ? q.exclude : q.phrases).push(phrase);
      continue;
    }
    const filter = /^(kind|tag|org|status):(.+)$/i.exec(body);
    if (filter && !negated) {
      q.filters.push([(filter[1] ?? '').toLowerCase(), fold(filter[2] ?? '').replace(/^#/, '')]);
      continue;
    }
    const word = fold(body);
    if (!/[\p{L}\p{N}]/u.test(word)) continue;
    if (negated) q.exclude.push(word);
    else {
      q.words.push(word);
      lastWord = true;
    }
  }
  q.prefixLast = request.as_you_type && lastWord && !/[\s"]$/.test(request.query);
  return q;
}

/** The text around the first match, escaped, with every match in <b>. */
function snippet(text: string, terms: string[]): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const folded = fold(flat);
  let first = -1;
  for (const term of terms) {
    const at = folded.indexOf(term);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  const start = Math.max(0, first - 40);
  const piece = flat.slice(start, start + 180);
  const foldedPiece = fold(piece);
  let out = '';
  let i = 0;
  while (i < piece.length) {
    const term = terms.find((t) => t && foldedPiece.startsWith(t, i));
    if (term) {
      out += `<b>${escapeHtml(piece.slice(i, i + term.length))}</b>`;
      i += term.length;
    } else {
      out += escapeHtml(piece[i] ?? '');
      i += 1;
    }
  }
  return (start > 0 ? '…' : '') + out + (start + 180 < flat.length ? '…' : '');
}

export function createMemoryApi(options: { ready: boolean; notes?: number }): Api {
  let ready = options.ready;
  let owner: WorkspaceStatus['owner'] = ready
    ? { member: 'Päivi Mäkelä', organisation: 'THL', organisation_id: 'org-fi', node_id: 'node-1', fingerprint: '3f2a:9c41:77be:0d12:aa90:5e63:c4f8:1b07' }
    : null;
  const byKind = new Map<string, Stored[]>(KINDS.map((k) => [k, []]));
  const byId = new Map<string, Stored>();

  function add(kind: string, i: number, title: string, fields: Json, links: LinkRef[] = []): Stored {
    const id = `${kind}-${String(i).padStart(6, '0')}`;
    const tags = i % 3 === 0 ? [pick(TAGS, i), pick(TAGS, i + 2)] : i % 3 === 1 ? [pick(TAGS, i)] : [];
    const updated = iso(i * 7 + kind.length);
    const status = typeof fields.status === 'string' ? fields.status : null;
    const stored: Stored = {
      summary: { id, kind, title, updated_at: updated, tags, status, consent_missing: kind === "contact" && !(fields.consent as { basis?: string } | undefined)?.basis },
      record: { id, kind, title, tags, ...fields },
      links,
    };
    byKind.get(kind)?.push(stored);
    byId.set(id, stored);
    return stored;
  }

  PARTNERS.forEach((p, i) =>
    add('org', i, p.name, { country: p.country, is_partner: true, sector: 'government' }),
  );
  const contacts = PEOPLE.map((name, i) =>
    add('contact', i, name, {
      org_id: pick(PARTNERS, i).id,
      role: 'Programme lead',
      email: `person${i}@example.org`,
      languages: ['en', pick(['da', 'cs', 'pl', 'fi', 'nl'], i)],
      expertise: [pick(TOPICS, i), pick(TOPICS, i + 3)],
      sector: pick(['government', 'non_profit', 'academia'], i),
      consent: { basis: 'consent', recorded_at: '2026-03-01', share_with_partners: i % 2 === 0 },
    }, [{ id: pick(PARTNERS, i).id, kind: 'org', title: pick(PARTNERS, i).name, rel: 'org_id' }]),
  );
  const questions = Array.from({ length: 60 }, (_, i) =>
    add('question', i, `How do we scale ${pick(TOPICS, i)} in ${pick(PLACES, i)}?`, {
      status: pick(['open', 'provisional', 'resolved', 'dropped'], i),
      priority: pick(['high', 'medium', 'low'], i),
      theme: pick(TOPICS, i),
      owner_org: pick(PARTNERS, i + 1).id,
      body: `Context from ${pick(PLACES, i)}.\n\nWhat we know so far…`,
    }),
  );
  for (let i = 0; i < 40; i++) {
    const host = pick(PARTNERS, i);
    const c1 = pick(contacts, i);
    const c2 = pick(contacts, i + 1);
    const q = pick(questions, i);
    add('session', i, `${pick(['Peer exchange', 'Study visit', 'Workshop', 'Webinar'], i)} in ${pick(PLACES, i)}`, {
      session_kind: pick(['peer_exchange', 'study_visit', 'workshop', 'webinar'], i),
      status: pick(['planned', 'confirmed', 'held', 'idea'], i),
      starts_at: `2026-12-${String((i % 27) + 1).padStart(2, '0')}T09:00`,
      timezone: 'Europe/Copenhagen',
      venue: `Town hall, ${pick(PLACES, i)}`,
      host_org: host.id,
      participants: [c1.summary.id, c2.summary.id],
      objectives: `Learn how ${pick(PLACES, i + 1)} organised ${pick(TOPICS, i)}.`,
      headcount: { government: 4, non_profit: 6, academia: 2 },
      agenda: [
        { title: 'Welcome and introductions', minutes: 20, who: c1.summary.title },
        { title: `Site visit: ${pick(PLACES, i)}`, minutes: 90, materials: 'Comfortable shoes' },
        { title: 'Lunch', minutes: 60 },
        { title: 'World café', minutes: 75, who: c2.summary.title },
        ...(i % 4 === 0 ? [{ title: 'Reflection walk', minutes: 45, day_break: true }] : []),
        { title: 'Wrap-up and next steps', minutes: 25 },
      ],
    }, [
      { id: host.id, kind: 'org', title: host.name, rel: 'host_org' },
      { id: c1.summary.id, kind: 'contact', title: c1.summary.title, rel: 'participants' },
      { id: c2.summary.id, kind: 'contact', title: c2.summary.title, rel: 'participants' },
      { id: q.summary.id, kind: 'question', title: q.summary.title, rel: 'link' },
    ]);
  }
  const noteCount = options.notes ?? 100_000;
  for (let i = 0; i < noteCount; i++) {
    add('note', i, `${pick(['Workshop notes', 'Case study', 'Reflection'], i)}: ${pick(TOPICS, i)} — ${pick(PLACES, i)} #${i + 1}`, {
      note_kind: pick(['workshop_notes', 'case_study', 'reflection'], i),
      language: pick(['en', 'da', 'cs', 'pl', 'fi', 'nl'], i),
      body: `# ${pick(TOPICS, i)}\n\nNotes from ${pick(PLACES, i)}, with ${pick(PEOPLE, i)}.\n\n- See [[${pick(questions, i).summary.title}]]\n- Next: follow-up in spring`,
    }, i < 1000 ? [{ id: pick(questions, i).summary.id, kind: 'question', title: pick(questions, i).summary.title, rel: 'wiki' }] : []);
  }
  for (const list of byKind.values()) list.sort((a, b) => b.summary.updated_at.localeCompare(a.summary.updated_at));

  function backlinks(id: string): LinkRef[] {
    const out: LinkRef[] = [];
    // Only sessions and the first notes link anywhere: enough for a preview.
    for (const kind of ['session', 'note', 'contact']) {
      for (const s of byKind.get(kind) ?? []) {
        for (const l of s.links) {
          if (l.id === id) out.push({ id: s.summary.id, kind, title: s.summary.title, rel: l.rel });
        }
      }
    }
    return out;
  }

  const orgName = new Map(PARTNERS.map((p) => [p.id, p.name]));
  /** Folded text and words per record, made on the first search. */
  const foldedText = new WeakMap<Stored, { text: string; words: string[] }>();
  /** Every folded word, for typo-tolerant matching (made on the first fuzzy search). */
  const vocabulary = new Set<string>();

  function search(request: SearchRequest): SearchResults {
    const q = parseQuery(request);
    const terms = [...q.words, ...q.phrases];
    type Doc = { s: Stored; words: string[]; text: string; org: string | null };
    const docs: Doc[] = [];
    for (const s of byId.values()) {
      const orgId = s.summary.kind === 'org' ? s.summary.id : (s.record.host_org ?? s.record.org_id);
      const org = typeof orgId === 'string' ? (orgName.get(orgId) ?? null) : null;
      let folded = foldedText.get(s);
      if (!folded) {
        const body = typeof s.record.body === 'string' ? s.record.body : '';
        const text = fold(`${s.summary.title} ${body} ${s.summary.tags.join(' ')}`);
        folded = { text, words: text.split(/[^\p{L}\p{N}]+/u) };
        foldedText.set(s, folded);
      }
      const { text, words } = folded;
      if (request.kind && s.summary.kind !== request.kind) continue;
      const ok = q.filters.every(([key, value]) =>
        key === 'kind'
          ? s.summary.kind === value
          : key === 'tag'
            ? s.summary.tags.some((t) => fold(t) === value)
            : key === 'status'
              ? s.summary.status === value
              : org !== null && fold(org).includes(value),
      );
      if (ok && !q.exclude.some((x) => text.includes(x))) docs.push({ s, words, text, org });
    }
    const exact = (d: Doc) =>
      q.phrases.every((p) => d.text.includes(p)) &&
      q.words.every((w, i) =>
        q.prefixLast && i === q.words.length - 1 ? d.words.some((x) => x.startsWith(w)) : d.words.includes(w),
      );
    let matched = docs.filter(exact);
    let fuzzy = false;
    if (matched.length === 0 && q.words.length > 0) {
      fuzzy = true;
      if (vocabulary.size === 0) {
        for (const stored of byId.values()) for (const w of foldedText.get(stored)?.words ?? []) vocabulary.add(w);
      }
      const close = q.words.map(
        (w) => new Set([...vocabulary].filter((x) => distance(w, x) <= (w.length > 5 ? 2 : 1))),
      );
      matched = docs.filter((d) => close.every((set) => d.words.some((x) => set.has(x))));
    }
    const count = (values: Array<string | null | undefined>) => {
      const m = new Map<string, number>();
      for (const v of values) if (v) m.set(v, (m.get(v) ?? 0) + 1);
      return [...m].map(([value, n]) => ({ value, count: n }));
    };
    const ranked = matched
      .map((d) => ({ d, score: terms.filter((t) => fold(d.s.summary.title).includes(t)).length * 2 + 1 }))
      .sort((a, b) => b.score - a.score || b.d.s.summary.updated_at.localeCompare(a.d.s.summary.updated_at));
    const hits: SearchHit[] = ranked.slice(0, request.limit ?? 20).map(({ d, score }) => ({
      id: d.s.summary.id,
      kind: d.s.summary.kind,
      title: d.s.summary.title,
      snippet: snippet(typeof d.s.record.body === 'string' ? d.s.record.body : d.s.summary.title, fuzzy ? [] : terms),
      score,
    }));
    return {
      total: matched.length,
      hits,
      facets: {
        kind: count(matched.map((d) => d.s.summary.kind)),
        tag: count(matched.flatMap((d) => d.s.summary.tags)),
        org: count(matched.map((d) => d.org)),
      },
      fuzzy,
    };
  }

  const delay = <T>(value: T, ms = 60) => new Promise<T>((r) => setTimeout(() => r(value), ms));

  function status(): WorkspaceStatus {
    return {
      path: '/home/päivi/.local/share/insisst/workspace',
      ready,
      owner,
      counts: ready ? KINDS.map((k) => ({ kind: k, count: byKind.get(k)?.length ?? 0 })) : [],
    };
  }

  function revOf(s: Stored): string {
    return `${(s.past?.length ?? 0) + 1}-${s.summary.id.replace(/\W/g, '').padEnd(32, 'f').slice(0, 32)}`;
  }

  function live(id: string): Stored {
    const s = byId.get(id);
    if (!s || s.deleted) throw { code: 'not_found', message: `No record with id ${id}` };
    return s;
  }

  /** A new revision of `s` with `record` as its content. */
  function change(s: Stored, record: Json): void {
    s.past = [...(s.past ?? []), { record: s.record, at: s.summary.updated_at, deleted: s.deleted }];
    s.record = record;
    s.deleted = false;
    s.summary.title = typeof record.title === 'string' ? record.title : s.summary.title;
    s.summary.status = typeof record.status === 'string' ? record.status : null;
    s.summary.updated_at = new Date().toISOString();
  }

  const records = {
    list: async (kind: string, offset: number, limit: number, filters?: FieldFilter[]) => {
      const all = (byKind.get(kind) ?? []).filter((s) =>
        (filters ?? []).every((f) => {
          const v = s.record[f.field];
          return (Array.isArray(v) ? v : [v]).some((x) => typeof x === 'string' && x.toLowerCase() === f.value.toLowerCase());
        }),
      );
      return delay({ records: all.slice(offset, offset + limit).map((s) => s.summary), total: all.length, offset });
    },
    get: async (id: string) => {
      const s = byId.get(id);
      if (!s) throw { code: 'not_found', message: `No record with id ${id}` };
      const detail: RecordDetail = {
        id,
        kind: s.summary.kind,
        title: s.summary.title,
        rev: revOf(s),
        created_at: iso(900),
        updated_at: s.summary.updated_at,
        record: { ...s.record, rev: revOf(s) },
        links: s.links,
        backlinks: backlinks(id),
        schedule: schedule(s.record),
        revision_count: (s.past?.length ?? 0) + 1,
        body_html: null,
      };
      return delay(detail, 30);
    },
    update: async (id: string, fields: Record<string, unknown>, expectedRev: string) => {
      const s = live(id);
      if (expectedRev !== revOf(s)) {
        throw { code: 'conflict', message: `record ${id} changed since revision ${expectedRev} (now ${revOf(s)}); reload it and try again` };
      }
      const title = typeof fields.title === 'string' ? fields.title.trim() : '';
      if (!title) throw { code: 'invalid_field', message: `${s.summary.kind} ${id}: field \`title\`: is required` };
      const next: Json = { ...(fields as Json), id, kind: s.summary.kind };
      delete next.rev;
      change(s, next);
      return records.get(id);
    },
    history: async (id: string): Promise<RevisionEntry[]> => {
      const s = byId.get(id);
      if (!s) throw { code: 'not_found', message: `No record with id ${id}` };
      const all = [...(s.past ?? []), { record: s.record, at: s.summary.updated_at, deleted: s.deleted }];
      return delay(
        all
          .map((v, i) => ({
            rev: `${i + 1}-${id.replace(/\W/g, '').padEnd(32, 'f').slice(0, 32)}`,
            generation: i + 1,
            author: i % 2 ? 'Päivi Mäkelä' : 'Søren Østergaard',
            author_org: i % 2 ? 'THL' : 'SIA',
            created_at: v.at,
            deleted: v.deleted ?? false,
            is_winner: i === all.length - 1,
            stub: false,
            title: v.deleted ? '' : typeof v.record.title === 'string' ? v.record.title : '',
            record: v.deleted ? null : { ...v.record, rev: `${i + 1}-…` },
          }))
          .reverse(),
        40,
      );
    },
    restore: async (id: string, rev: string) => {
      const s = byId.get(id);
      if (!s) throw { code: 'not_found', message: `No record with id ${id}` };
      const all = [...(s.past ?? []), { record: s.record, at: s.summary.updated_at, deleted: s.deleted }];
      const found = all[Number(rev.split('-')[0]) - 1];
      if (!found || found.deleted) throw { code: 'invalid', message: `revision ${rev} of ${id} cannot be restored` };
      change(s, { ...found.record });
      return records.get(id);
    },
    remove: async (id: string) => {
      const s = live(id);
      s.past = [...(s.past ?? []), { record: s.record, at: s.summary.updated_at }];
      s.deleted = true;
      s.summary.updated_at = new Date().toISOString();
      const list = byKind.get(s.summary.kind) ?? [];
      byKind.set(s.summary.kind, list.filter((x) => x !== s));
      await delay(null);
    },
    questions: async (): Promise<QuestionCard[]> =>
      delay(
        (byKind.get('question') ?? []).map((q) => {
          const owner = PARTNERS.find((p) => p.id === q.record.owner_org);
          const text = (v: JsonValue | undefined) => (typeof v === 'string' && v ? v : null);
          return {
            id: q.summary.id,
            rev: revOf(q),
            title: q.summary.title,
            status: text(q.record.status),
            priority: text(q.record.priority),
            theme: text(q.record.theme),
            owner_org: text(q.record.owner_org),
            owner_name: owner?.short_name ?? null,
            created_at: iso(900),
            updated_at: q.summary.updated_at,
          };
        }),
      ),
    calendar: async (from: string, to: string): Promise<CalendarSession[]> =>
      delay(
        (byKind.get('session') ?? []).flatMap((s) => {
          const text = (v: JsonValue | undefined) => (typeof v === 'string' ? v : null);
          const starts = text(s.record.starts_at);
          if (!starts) return [];
          const ends = text(s.record.ends_at) ?? starts;
          if (starts.slice(0, 10) > to || ends.slice(0, 10) < from) return [];
          return [
            {
              id: s.summary.id,
              title: s.summary.title,
              status: text(s.record.status),
              session_kind: text(s.record.session_kind),
              starts_at: starts,
              ends_at: text(s.record.ends_at),
              timezone: text(s.record.timezone),
            },
          ];
        }).sort((a, b) => a.starts_at.localeCompare(b.starts_at)),
      ),
    fieldValues: async (kind: string, field: string): Promise<FieldValueCount[]> => {
      const counts = new Map<string, number>();
      for (const s of byKind.get(kind) ?? []) {
        const v = s.record[field];
        for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && x) counts.set(x, (counts.get(x) ?? 0) + 1);
      }
      return delay([...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count));
    },
    methods: async (): Promise<MethodCard[]> =>
      delay(
        (byKind.get('method') ?? []).map((m) => ({
          id: m.summary.id,
          title: m.summary.title,
          minutes: typeof m.record.minutes === 'number' ? m.record.minutes : null,
          group_size: typeof m.record.group_size === 'string' ? m.record.group_size : null,
          materials: typeof m.record.materials === 'string' ? m.record.materials : null,
          tags: m.summary.tags,
        })),
      ),
    // The preview has no renderer: the text, escaped, paragraph by paragraph.
    preview: async (_id: string, body: string) =>
      delay(
        body.trim()
          ? body
              .split(/\n{2,}/)
              .map((p) => `<p>${p.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`)
              .join('')
          : null,
        10,
      ),
    attach: async (): Promise<AttachedFile> => {
      throw { code: 'unsupported', message: 'Attachments need the desktop app.' };
    },
    pickAttachment: async (): Promise<AttachedFile | null> => {
      throw { code: 'unsupported', message: 'Attachments need the desktop app.' };
    },
    create: async (kind: string, fields: Record<string, unknown>) => {
      const list = byKind.get(kind);
      if (!list) throw { code: 'invalid', message: `unknown kind ${kind}` };
      const title = typeof fields.title === 'string' ? fields.title.trim() : '';
      if (!title) throw { code: 'invalid', message: `${kind}: title is required` };
      const stored = add(kind, 900_000 + list.length, title, fields as Json);
      stored.summary.updated_at = new Date().toISOString();
      list.unshift(stored);
      return records.get(stored.summary.id);
    },
  };

  /** Home's lists from the generated records: sessions of the next two weeks and so on. */
  function overview(): HomeOverview {
    const now = Date.now();
    const sessions = (byKind.get('session') ?? []).slice(0, 400).flatMap((s) => {
      const starts = s.record.starts_at;
      if (typeof starts !== 'string') return [];
      const at = Date.parse(`${starts}Z`);
      if (!(at >= now - 86_400_000 && at <= now + 14 * 86_400_000)) return [];
      const text = (v: JsonValue | undefined) => (typeof v === 'string' ? v : null);
      return [
        {
          id: s.summary.id,
          title: s.summary.title,
          status: text(s.record.status),
          session_kind: text(s.record.session_kind),
          starts_at: starts,
          ends_at: text(s.record.ends_at),
          timezone: text(s.record.timezone),
          starts_at_utc: new Date(at).toISOString(),
          venue: text(s.record.venue),
        },
      ];
    });
    const rank = (p: JsonValue | undefined) => (p === 'high' ? 0 : p === 'medium' ? 1 : p === 'low' ? 2 : 3);
    const open = (byKind.get('question') ?? []).filter((q) => q.record.status === 'open');
    const questions = open
      .slice(0, 500)
      .sort((a, b) => rank(a.record.priority) - rank(b.record.priority))
      .slice(0, 8)
      .map((q) => ({
        id: q.summary.id,
        title: q.summary.title,
        priority: typeof q.record.priority === 'string' ? q.record.priority : null,
        theme: typeof q.record.theme === 'string' ? q.record.theme : null,
        updated_at: q.summary.updated_at,
      }));
    return {
      upcoming_days: 14,
      upcoming: sessions.sort((a, b) => a.starts_at_utc.localeCompare(b.starts_at_utc)).slice(0, 20),
      open_questions: questions,
      open_question_count: open.length,
      recent_notes: (byKind.get('note') ?? []).slice(0, 8).map((n) => n.summary),
    };
  }

  const exchange = createMemoryExchange({
    conflicted: [...(byKind.get('note') ?? []).slice(0, 2), ...(byKind.get('session') ?? []).slice(0, 1)].map((s) => ({
      id: s.summary.id,
      kind: s.summary.kind,
      title: s.summary.title,
      record: s.record,
    })),
    get: records.get,
    put: (id, record) => {
      const s = byId.get(id);
      if (!s) return;
      s.record = { ...s.record, ...record };
      if (typeof record.title === 'string') s.summary.title = record.title;
    },
  });

  return {
    workspace: {
      status: () => delay(status()),
      partners: () => delay(PARTNERS),
      setup: async (request) => {
        await delay(null, 1200);
        ready = true;
        owner = {
          member: request.member,
          organisation: request.organisation,
          organisation_id: 'org-fi',
          node_id: 'node-1',
          fingerprint: '3f2a:9c41:77be:0d12:aa90:5e63:c4f8:1b07',
        };
        return status();
      },
    },
    records,
    search: {
      query: (request) => delay(search(request), 20),
    },
    exchange,
    home: {
      overview: () => delay(overview()),
    },
    settings: {
      backup: (path) => delay({ path, bytes: 48_000_000 as unknown as bigint, attachments: 120 }, 900),
      restore: (_backup, folder) => delay(folder, 900),
      pickFile: () => delay(null),
      pickFolder: () => delay(null),
    },
    links: {
      openExternal: async (url) => {
        window.open(url, '_blank', 'noopener');
      },
    },
    // The learning commands answer with the sample figures: reviews, evaluations and the
    // dashboard are computed by insisst-core, which the browser preview does not have.
    learning: {
      takeReview: (sessionId) => delay({ id: 'review-preview', title: `Agenda review — ${byId.get(sessionId)?.summary.title ?? sessionId}`, questions: (byKind.get('question') ?? []).length }, 400),
      history: (threshold) => delay({ ...SAMPLE_HISTORY, persistence_threshold: threshold }),
      diff: (from, to) => delay({ ...SAMPLE_DIFF, from, to }),
      evaluationItems: () => delay(EVALUATION_ITEMS),
      evaluation: (sessionId) => delay({ ...SAMPLE_EVALUATION, session_id: sessionId }),
      recordForms: (_sessionId, forms) => delay(forms.map((_, i) => `evaluation-preview-${i + 1}`), 300),
      pickCsv: () => delay(null),
      importCsv: (_sessionId, path, _due, dryRun) => delay(sampleCsvReport(path, dryRun), 300),
      followupsDue: () => delay([{ session_id: (byKind.get('session') ?? [])[0]?.summary.id ?? 's-1', session_title: (byKind.get('session') ?? [])[0]?.summary.title ?? 'Workshop', due: '2026-11-20', days_overdue: 7, evaluation_ids: [] }]),
      monitoring: () => delay(SAMPLE_FIGURES, 200),
      saveExport: async (name, contents) => {
        const url = URL.createObjectURL(new Blob([contents.slice().buffer]));
        const a = document.createElement('a');
        a.href = url;
        a.download = name;
        a.click();
        URL.revokeObjectURL(url);
        return name;
      },
    },
    interop: {
      pick: () => delay(null),
      importFile: async () => {
        throw { code: 'unsupported', message: 'Importing files needs the desktop app.' };
      },
      exportFile: async () => {
        throw { code: 'unsupported', message: 'Exporting files needs the desktop app.' };
      },
      sessionToCalendar: () => delay(null),
      report: async (id) => delay({ title: id ? (byId.get(id)?.summary.title ?? id) : 'Learning agenda', html: '<h1>Report</h1><p>Reports are rendered by the desktop app.</p>' }),
      saveReport: () => delay(null),
    },
    privacy: {
      consentGaps: async () => {
        const without = (byKind.get('contact') ?? []).filter((c) => c.summary.consent_missing);
        return delay({
          count: without.length,
          contacts: (byKind.get('contact') ?? []).length,
          listed: without.slice(0, 8).map((c) => ({ id: c.summary.id, kind: 'contact', title: c.summary.title, detail: null })),
        });
      },
      forgetPlan: async () => {
        throw { code: 'unsupported', message: 'Forgetting a person needs the desktop app.' };
      },
      forget: async () => {
        throw { code: 'unsupported', message: 'Forgetting a person needs the desktop app.' };
      },
      personExport: () => delay(null),
    },
  };
}
