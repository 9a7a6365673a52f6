import { beforeEach, describe, expect, it } from 'vitest';
import {
  draftChanged,
  draftFields,
  draftOf,
  emptyRow,
  exportName,
  formsOf,
  monthsLater,
  persistenceThreshold,
  ratingKey,
  reviewKeyAction,
  reviewOrder,
  savePersistenceThreshold,
  snapshotChanges,
  toCsv,
} from './learning';

const ITEMS = ['relevance', 'usefulness', 'facilitation', 'organisation', 'overall'];

describe('the persistence threshold', () => {
  beforeEach(() => localStorage.clear());

  it('is 3 until a workspace sets its own, and each workspace keeps its own', () => {
    expect(persistenceThreshold('/a')).toBe(3);
    expect(savePersistenceThreshold('/a', 5)).toBe(true);
    expect(persistenceThreshold('/a')).toBe(5);
    expect(persistenceThreshold('/b')).toBe(3);
  });

  it('refuses values that are not whole numbers from 1 to 99, and ignores such a saved value', () => {
    for (const bad of [0, -1, 2.5, 100, Number.NaN]) expect(savePersistenceThreshold('/a', bad)).toBe(false);
    expect(persistenceThreshold('/a')).toBe(3);
    localStorage.setItem('insisst.persistenceThreshold:/a', 'zwei');
    expect(persistenceThreshold('/a')).toBe(3);
  });
});

describe('the review keys', () => {
  it('maps 1–4 to the statuses, h/m/l to priorities, Enter to next and Ctrl+Enter to finish', () => {
    expect(reviewKeyAction({ key: '1' })).toEqual({ type: 'status', status: 'open' });
    expect(reviewKeyAction({ key: '2' })).toEqual({ type: 'status', status: 'provisional' });
    expect(reviewKeyAction({ key: '3' })).toEqual({ type: 'status', status: 'resolved' });
    expect(reviewKeyAction({ key: '4' })).toEqual({ type: 'status', status: 'dropped' });
    expect(reviewKeyAction({ key: '5' })).toBeNull();
    expect(reviewKeyAction({ key: 'h' })).toEqual({ type: 'priority', priority: 'high' });
    expect(reviewKeyAction({ key: 'M' })).toEqual({ type: 'priority', priority: 'medium' });
    expect(reviewKeyAction({ key: 'l' })).toEqual({ type: 'priority', priority: 'low' });
    expect(reviewKeyAction({ key: 'a' })).toEqual({ type: 'answer' });
    expect(reviewKeyAction({ key: 'Enter' })).toEqual({ type: 'next' });
    expect(reviewKeyAction({ key: 'ArrowRight' })).toEqual({ type: 'next' });
    expect(reviewKeyAction({ key: 'Enter', shiftKey: true })).toEqual({ type: 'previous' });
    expect(reviewKeyAction({ key: 'ArrowLeft' })).toEqual({ type: 'previous' });
    expect(reviewKeyAction({ key: 'Enter', ctrlKey: true })).toEqual({ type: 'finish' });
    expect(reviewKeyAction({ key: 'Enter', metaKey: true })).toEqual({ type: 'finish' });
  });

  it('leaves the app’s own shortcuts alone (Ctrl+1, Alt+h)', () => {
    expect(reviewKeyAction({ key: '1', ctrlKey: true })).toBeNull();
    expect(reviewKeyAction({ key: 'h', altKey: true })).toBeNull();
    expect(reviewKeyAction({ key: 'x' })).toBeNull();
  });
});

describe('a question during a review', () => {
  const record = { id: 'q1', kind: 'question', rev: '3-abc', title: 'Łódź?', status: 'open', priority: 'low', theme: 'housing', links: ['n1'] };

  it('is unchanged as loaded, changed once status, priority or answer differ', () => {
    const d = draftOf('q1', '3-abc', 'Łódź?', record);
    expect(d).toMatchObject({ status: 'open', priority: 'low', answer: '', theme: 'housing' });
    expect(draftChanged(d)).toBe(false);
    expect(draftChanged({ ...d, status: 'resolved' })).toBe(true);
    expect(draftChanged({ ...d, priority: null })).toBe(true);
    expect(draftChanged({ ...d, answer: '  ' })).toBe(false);
    expect(draftChanged({ ...d, answer: 'Ask the ministry' })).toBe(true);
  });

  it('saves the whole record back with the new fields, without rev, clearing what was emptied', () => {
    const d = { ...draftOf('q1', '3-abc', 'Łódź?', { ...record, provisional_answer: 'old' }), status: 'provisional' as const, priority: null, answer: '' };
    const fields = draftFields(d);
    expect(fields).toEqual({ id: 'q1', kind: 'question', title: 'Łódź?', status: 'provisional', theme: 'housing', links: ['n1'] });
    expect(draftFields({ ...d, answer: ' Ask them \n', priority: 'high' })).toMatchObject({ provisional_answer: 'Ask them', priority: 'high' });
  });

  it('reads a record without status as open and an unknown priority as none', () => {
    const d = draftOf('q2', '1-a', 'x', { priority: 'urgent' });
    expect(d.status).toBe('open');
    expect(d.priority).toBeNull();
  });
});

describe('the order of a review', () => {
  const qs = [
    { id: 'a', title: 'Beta', status: 'open', priority: 'low' },
    { id: 'b', title: 'Alpha', status: 'resolved', priority: 'high' },
    { id: 'c', title: 'Gamma', status: 'provisional', priority: 'high' },
    { id: 'd', title: 'Alpha', status: null, priority: null },
  ];

  it('walks open questions by priority, then title; closed ones only when asked, last', () => {
    expect(reviewOrder(qs, false).map((q) => q.id)).toEqual(['c', 'a', 'd']);
    expect(reviewOrder(qs, true).map((q) => q.id)).toEqual(['c', 'a', 'd', 'b']);
  });
});

describe('differences between snapshots', () => {
  it('lists only the fields that moved; a missing snapshot counts as nothing', () => {
    const before = { status: 'open', priority: 'high', provisional_answer: null, owner_org: 'p-fi' };
    const after = { ...before, status: 'provisional', provisional_answer: 'Try it in Brno' };
    expect(snapshotChanges(before, after)).toEqual([
      { field: 'status', before: 'open', after: 'provisional' },
      { field: 'provisional_answer', before: null, after: 'Try it in Brno' },
    ]);
    expect(snapshotChanges(null, before).map((c) => c.field)).toEqual(['status', 'priority', 'owner_org']);
    expect(snapshotChanges(before, before)).toEqual([]);
  });
});

describe('quick entry of forms', () => {
  it('takes ratings 1–5 from single keys only', () => {
    expect(['1', '5', '0', '6', 'a', '12', ''].map(ratingKey)).toEqual([1, 5, null, null, null, null, null]);
  });

  it('makes a reaction form and a learning form of a row, skipping empty rows', () => {
    const full = { ...emptyRow(ITEMS), comments: ' Useful — děkuji ', before: 2, after: 4 };
    full.ratings.relevance = 5;
    full.ratings.overall = 4;
    const onlyLearning = { ...emptyRow(ITEMS), after: 3 };
    const onlyComment = { ...emptyRow(ITEMS), comments: 'Too long' };
    const forms = formsOf([full, emptyRow(ITEMS), onlyLearning, onlyComment], '2027-02-27');
    expect(forms).toEqual([
      { level: 'reaction', ratings: { relevance: 5, overall: 4 }, comments: 'Useful — děkuji', follow_up_due: '2027-02-27' },
      { level: 'learning', ratings: { before: 2, after: 4 }, comments: null, follow_up_due: null },
      { level: 'learning', ratings: { after: 3 }, comments: null, follow_up_due: null },
      { level: 'reaction', ratings: {}, comments: 'Too long', follow_up_due: '2027-02-27' },
    ]);
    expect(formsOf([emptyRow(ITEMS)], null)).toEqual([]);
  });

  it('plans a follow-up three months on by default', () => {
    expect(monthsLater(new Date(2026, 10, 27))).toBe('2027-02-27');
    expect(monthsLater(new Date(2026, 0, 15), 6)).toBe('2026-07-15');
  });
});

describe('CSV of a chart', () => {
  it('writes a heading and rows with RFC 4180 quoting and CRLF line ends', () => {
    const csv = toCsv(['partner', 'quarter', 'sessions'], [
      { partner: 'THL — Finnish Institute, Helsinki', quarter: '2026-Q1', sessions: 2 },
      { partner: 'Say "hi"', quarter: '2026-Q2', sessions: null },
      { partner: 'Multi\nline', quarter: '2026-Q3', sessions: 0 },
    ]);
    expect(csv).toBe(
      'partner,quarter,sessions\r\n"THL — Finnish Institute, Helsinki",2026-Q1,2\r\n"Say ""hi""",2026-Q2,\r\n"Multi\nline",2026-Q3,0\r\n',
    );
  });

  it('names an export after its chart, safe on every system', () => {
    expect(exportName('Sessions held per partner and quarter (6 in all)', 'png')).toBe('sessions-held-per-partner-and-quarter-6-in-all.png');
    expect(exportName('Účastníci — Łódź', 'csv')).toBe('ucastnici-lodz.csv');
    expect(exportName('///', 'svg')).toBe('chart.svg');
  });
});
