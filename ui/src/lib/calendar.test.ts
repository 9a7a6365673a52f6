import { describe, expect, it } from 'vitest';
import { movePage, onDay, pageDays, weekStart } from './calendar';

describe('calendar pages', () => {
  it('months show six whole weeks from the Monday before the first', () => {
    const days = pageDays('month', '2026-11-27');
    expect(days).toHaveLength(42);
    expect(days[0]).toBe('2026-10-26');
    expect(days).toContain('2026-11-01');
    expect(days[41]).toBe('2026-12-06');
    expect(pageDays('month', '2026-03-15')[0]).toBe('2026-02-23');
  });

  it('weeks start on Monday, also across years and leap days', () => {
    expect(weekStart('2026-11-29')).toBe('2026-11-23');
    expect(weekStart('2026-11-23')).toBe('2026-11-23');
    expect(pageDays('week', '2027-01-01')).toEqual([
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
    ]);
    expect(pageDays('week', '2028-02-29')[0]).toBe('2028-02-28');
  });

  it('moves by a month or a week', () => {
    expect(movePage('month', '2026-01-31', 1)).toBe('2026-02-01');
    expect(movePage('month', '2026-01-15', -1)).toBe('2025-12-01');
    expect(movePage('week', '2026-12-28', 1)).toBe('2027-01-04');
  });

  it('a session is on each day from its start to its end', () => {
    expect(onDay('2026-03-01', '2026-02-28T09:00', '2026-03-02T17:00')).toBe(true);
    expect(onDay('2026-03-03', '2026-02-28T09:00', '2026-03-02T17:00')).toBe(false);
    expect(onDay('2026-02-28', '2026-02-28T09:00', null)).toBe(true);
    expect(onDay('2026-02-28', '2026-02-28T09:00', '2026-02-27T09:00')).toBe(true);
  });
});
