/**
 * Calendar pages: the days a month or week view shows (weeks start on Monday, as in the
 * partners' countries) and which sessions fall on a day. Dates are local `YYYY-MM-DD`
 * strings: a session sits on the days of its own wall-clock times, as its agenda does.
 */

export type CalendarView = 'month' | 'week';

function utcDate(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = utcDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return iso(d);
}

/** Monday of the week of `date`. */
export function weekStart(date: string): string {
  const d = utcDate(date);
  return addDays(date, -((d.getUTCDay() + 6) % 7));
}

/** The days a page shows around `anchor`: 6 whole weeks for a month, 7 days for a week. */
export function pageDays(view: CalendarView, anchor: string): string[] {
  const first = view === 'month' ? weekStart(`${anchor.slice(0, 7)}-01`) : weekStart(anchor);
  const count = view === 'month' ? 42 : 7;
  return Array.from({ length: count }, (_, i) => addDays(first, i));
}

/** The anchor of the next (`step` 1) or previous (-1) page. */
export function movePage(view: CalendarView, anchor: string, step: number): string {
  if (view === 'week') return addDays(anchor, 7 * step);
  const d = utcDate(`${anchor.slice(0, 7)}-01`);
  d.setUTCMonth(d.getUTCMonth() + step);
  return iso(d);
}

/** Whether a session from `startsAt` to `endsAt` (local date-times) is on `day`. */
export function onDay(day: string, startsAt: string, endsAt: string | null): boolean {
  const first = startsAt.slice(0, 10);
  const last = endsAt && endsAt.slice(0, 10) >= first ? endsAt.slice(0, 10) : first;
  return first <= day && day <= last;
}

/** Today as a local date. */
export function today(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
