/**
 * A session's agenda as a timetable while it is being edited: the same rule as insisst-core's
 * `agenda::schedule` (blocks follow each other from the session's start; a `day_break` block
 * starts the next day at the session's starting time of day), recomputed on every keystroke
 * without a round trip. Times are wall-clock times in the session's zone; `inZone` converts
 * one to another zone (the viewer's) through Intl, DST included.
 */

export interface AgendaBlockInput {
  minutes: number;
  day_break?: boolean;
}

/** An agenda block as the session editor holds it (product.md: `agenda`). */
export interface AgendaBlock {
  title: string;
  minutes: number;
  who?: string;
  method_id?: string;
  day_break?: boolean;
  /** Fields the editor does not show (materials, notes …) are kept as they are. */
  [other: string]: unknown;
}

export interface TimedBlock {
  index: number;
  /** `YYYY-MM-DDTHH:MM`, in the session's zone. */
  starts_at: string;
  ends_at: string;
  /** 1 for the session's first day. */
  day: number;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** A zone-less local date-time as minutes since the epoch, read as if it were UTC. */
function parseLocal(value: string): number | null {
  const m = LOCAL.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(ms);
  // 2026-02-30 is not a date: Date.UTC would roll it over.
  if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return null;
  return ms / 60_000;
}

function formatLocal(minutes: number): string {
  return new Date(minutes * 60_000).toISOString().slice(0, 16);
}

/** The timetable of `blocks` from `startsAt`, or null when the start is not a date-time. */
export function timetable(startsAt: string, blocks: readonly AgendaBlockInput[]): TimedBlock[] | null {
  const start = parseLocal(startsAt);
  if (start === null) return null;
  const startOfDay = start - (start % 1440);
  const timeOfDay = start - startOfDay;
  let cursor = start;
  return blocks.map((block, index) => {
    if (block.day_break && index > 0) {
      const cursorDay = cursor - (((cursor % 1440) + 1440) % 1440);
      cursor = Math.max(cursor, cursorDay + 1440 + timeOfDay);
    }
    const minutes = Number.isFinite(block.minutes) ? Math.max(0, Math.trunc(block.minutes)) : 0;
    const begins = cursor;
    cursor += minutes;
    return {
      index,
      starts_at: formatLocal(begins),
      ends_at: formatLocal(cursor),
      day: Math.floor((begins - (((begins % 1440) + 1440) % 1440) - startOfDay) / 1440) + 1,
    };
  });
}

/** Total minutes of the blocks (breaks between days not counted). */
export function totalMinutes(blocks: readonly AgendaBlockInput[]): number {
  return blocks.reduce((sum, b) => sum + (Number.isFinite(b.minutes) ? Math.max(0, Math.trunc(b.minutes)) : 0), 0);
}

/** `90` → `1 h 30 min`; `45` → `45 min`. */
export function formatMinutes(total: number): string {
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** The UTC offset of `timeZone` at instant `ms`, in minutes. */
function offsetAt(timeZone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

/**
 * The instant of wall-clock time `local` in `timeZone` (in a spring gap the clock is moved
 * forward, in the autumn overlap the earlier instant is taken: the core's rule), or null.
 */
export function zonedInstant(local: string, timeZone: string): number | null {
  const start = parseLocal(local);
  if (start === null) return null;
  try {
    // The offsets in force around that wall-clock time (before and after any transition);
    // an offset fits when the instant it gives really has it.
    for (let step = 0, probe = start * 60_000; step < 4; step++, probe += 30 * 60_000) {
      const offsets = new Set([offsetAt(timeZone, probe - 14 * 3_600_000), offsetAt(timeZone, probe + 14 * 3_600_000)]);
      const fits = [...offsets].map((o) => probe - o * 60_000).filter((t) => offsetAt(timeZone, t) * 60_000 === probe - t);
      if (fits.length > 0) return Math.min(...fits);
    }
    return null;
  } catch {
    return null;
  }
}

/** Wall-clock `local` of `fromZone` as `HH:MM` in `toZone` (null when either is unknown). */
export function inZone(local: string, fromZone: string, toZone: string): string | null {
  const instant = zonedInstant(local, fromZone);
  if (instant === null) return null;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: toZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      new Date(instant),
    );
  } catch {
    return null;
  }
}

/** The viewer's time zone (IANA), UTC when the system does not say. */
export function viewerZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
