import { describe, expect, it } from 'vitest';
import type { ConflictVersion } from './bindings/ConflictVersion';
import {
  buildExportScope,
  canonicalJson,
  conflictFields,
  emptyScopeForm,
  mergeVersions,
  percent,
  scopeProblem,
} from './exchange';
import { formatBytes, todayIso } from './format';

const NONE = {
  tag: null,
  session: null,
  question: null,
  from: null,
  to: null,
  changed_since_last_to: null,
  for_org: null,
};

describe('export scope', () => {
  it('sets only the chosen filter', () => {
    const form = { ...emptyScopeForm(), tag: 'ignored', session: 's-1', from: '2026-01-01' };
    expect(buildExportScope(form)).toEqual(NONE);
    expect(buildExportScope({ ...form, choice: 'tag', tag: ' #youth ' })).toEqual({ ...NONE, tag: 'youth' });
    expect(buildExportScope({ ...form, choice: 'session' })).toEqual({ ...NONE, session: 's-1' });
    expect(buildExportScope({ ...form, choice: 'question', question: 'q-2' })).toEqual({
      ...NONE,
      question: 'q-2',
    });
    expect(buildExportScope({ ...form, choice: 'dates', to: '2026-03-31' })).toEqual({
      ...NONE,
      from: '2026-01-01',
      to: '2026-03-31',
    });
    expect(buildExportScope({ ...form, choice: 'all', forOrg: 'p-dk' })).toEqual({ ...NONE, for_org: 'p-dk' });
  });

  it('makes a "changed since" bundle for that partner unless another is chosen', () => {
    const form = { ...emptyScopeForm(), choice: 'changed' as const, changedOrg: 'p-be' };
    expect(buildExportScope(form)).toEqual({ ...NONE, changed_since_last_to: 'p-be', for_org: 'p-be' });
    expect(buildExportScope({ ...form, forOrg: 'p-pl' })).toEqual({
      ...NONE,
      changed_since_last_to: 'p-be',
      for_org: 'p-pl',
    });
  });

  it('says what is missing', () => {
    const form = emptyScopeForm();
    expect(scopeProblem(form)).toBeNull();
    expect(scopeProblem({ ...form, choice: 'tag', tag: '  ' })).toBe('export.needTag');
    expect(scopeProblem({ ...form, choice: 'session' })).toBe('export.needSession');
    expect(scopeProblem({ ...form, choice: 'question' })).toBe('export.needQuestion');
    expect(scopeProblem({ ...form, choice: 'dates' })).toBe('export.needDates');
    expect(scopeProblem({ ...form, choice: 'dates', from: '2026-05-01', to: '2026-04-01' })).toBe(
      'export.datesOrder',
    );
    expect(scopeProblem({ ...form, choice: 'dates', to: '2026-04-01' })).toBeNull();
    expect(scopeProblem({ ...form, choice: 'changed' })).toBe('export.needPartner');
  });
});

function version(rev: string, record: ConflictVersion['record'], isWinner = false): ConflictVersion {
  return { rev, is_winner: isWinner, author: 'A', author_org: null, created_at: '2026-11-01T00:00:00Z', record };
}

describe('conflicts', () => {
  const winner = version(
    '3-a',
    {
      id: 'n1',
      kind: 'note',
      rev: '3-a',
      created_at: 'c',
      updated_at: 'u1',
      body: 'Ours',
      title: 'Århus',
      tags: ['a', 'b'],
      extra: { x: 1, y: 2 },
    },
    true,
  );
  const other = version('3-b', {
    id: 'n1',
    kind: 'note',
    rev: '3-b',
    created_at: 'c',
    updated_at: 'u2',
    title: 'Aarhus',
    body: 'Ours',
    tags: ['a', 'b'],
    extra: { y: 2, x: 1 },
    language: 'da',
  });

  it('compares fields, title first, store-owned fields left out', () => {
    expect(conflictFields([winner, other])).toEqual([
      { name: 'title', differs: true },
      { name: 'body', differs: false },
      { name: 'tags', differs: false },
      { name: 'extra', differs: false },
      { name: 'language', differs: true },
    ]);
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
  });

  it('merges the chosen values onto the winner, dropping absent fields', () => {
    expect(mergeVersions([winner, other], { title: 1, language: 0, id: 1 })).toEqual({
      title: 'Aarhus',
      body: 'Ours',
      tags: ['a', 'b'],
      extra: { x: 1, y: 2 },
    });
    expect(mergeVersions([winner, other], { language: 1 })).toEqual({
      title: 'Århus',
      body: 'Ours',
      tags: ['a', 'b'],
      extra: { x: 1, y: 2 },
      language: 'da',
    });
  });
});

describe('formats', () => {
  it('shows sizes and dates', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000 as unknown as bigint)).toBe('1.5 MB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
    expect(todayIso(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
    expect(percent({ phase: 'export', done: 1, total: 3 })).toBe(33);
    expect(percent({ phase: 'export', done: 0, total: 0 })).toBeNull();
  });
});
