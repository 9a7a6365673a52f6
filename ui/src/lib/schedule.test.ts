import { describe, expect, it } from 'vitest';
import { formatMinutes, inZone, timetable, totalMinutes, zonedInstant } from './schedule';

describe('timetable', () => {
  it('follows the blocks from the start and breaks days at the starting time of day', () => {
    const blocks = [
      { minutes: 30 },
      { minutes: 90 },
      { minutes: 45 },
      { minutes: 60, day_break: true },
      { minutes: 15 },
    ];
    expect(timetable('2026-03-02T09:30', blocks)).toEqual([
      { index: 0, starts_at: '2026-03-02T09:30', ends_at: '2026-03-02T10:00', day: 1 },
      { index: 1, starts_at: '2026-03-02T10:00', ends_at: '2026-03-02T11:30', day: 1 },
      { index: 2, starts_at: '2026-03-02T11:30', ends_at: '2026-03-02T12:15', day: 1 },
      { index: 3, starts_at: '2026-03-03T09:30', ends_at: '2026-03-03T10:30', day: 2 },
      { index: 4, starts_at: '2026-03-03T10:30', ends_at: '2026-03-03T10:45', day: 2 },
    ]);
    expect(totalMinutes(blocks)).toBe(240);
    expect(formatMinutes(240)).toBe('4 h');
    expect(formatMinutes(95)).toBe('1 h 35 min');
    expect(formatMinutes(45)).toBe('45 min');
  });

  it('a day running past midnight breaks to the day after the one it ended on (the core rule); bad input is null', () => {
    const t = timetable('2026-12-31T22:00', [{ minutes: 180 }, { minutes: 10, day_break: true }]);
    expect(t?.[1]).toEqual({ index: 1, starts_at: '2027-01-02T22:00', ends_at: '2027-01-02T22:10', day: 3 });
    expect(timetable('2026-02-30T10:00', [])).toBeNull();
    expect(timetable('', [{ minutes: 5 }])).toBeNull();
    expect(timetable('2026-01-01T10:00', [{ minutes: Number.NaN }, { minutes: -5 }])?.map((b) => b.ends_at)).toEqual([
      '2026-01-01T10:00',
      '2026-01-01T10:00',
    ]);
  });
});

describe('time zones', () => {
  it('converts a session time to the viewer zone, DST included', () => {
    expect(inZone('2026-07-01T10:00', 'Europe/Helsinki', 'Europe/Dublin')).toBe('08:00');
    expect(inZone('2026-01-15T10:00', 'Europe/Helsinki', 'Europe/Dublin')).toBe('08:00');
    expect(inZone('2026-03-29T10:00', 'Europe/Prague', 'America/New_York')).toBe('04:00');
    expect(inZone('2026-01-15T10:00', 'Europe/Atlantis', 'UTC')).toBeNull();
  });

  it('takes the earlier instant in the autumn overlap and moves forward in the spring gap', () => {
    // 2026-10-25 02:30 happens twice in Copenhagen (CEST then CET): the earlier is 00:30 UTC.
    expect(new Date(zonedInstant('2026-10-25T02:30', 'Europe/Copenhagen')!).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // 2026-03-29 02:30 does not exist there: moved on by half hours to 03:00 CEST = 01:00 UTC,
    // as insisst-core's agenda::to_utc does.
    expect(new Date(zonedInstant('2026-03-29T02:30', 'Europe/Copenhagen')!).toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });
});
