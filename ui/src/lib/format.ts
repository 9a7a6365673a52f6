import { getLocale } from './i18n';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function format(options: Intl.DateTimeFormatOptions, key: string): Intl.DateTimeFormat {
  const id = `${getLocale()}|${key}`;
  let f = dateTimeFormats.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : getLocale(), options);
    dateTimeFormats.set(id, f);
  }
  return f;
}

function parse(value: string): Date | null {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A timestamp (RFC 3339) as a local date, e.g. `27 Nov 2026`; unparsable input as is. */
export function formatDate(value: string): string {
  const d = parse(value);
  return d ? format({ day: 'numeric', month: 'short', year: 'numeric' }, 'date').format(d) : value;
}

/** A timestamp (RFC 3339) as a local date and time, e.g. `27 Nov 2026, 14:05`. */
export function formatDateTime(value: string): string {
  const d = parse(value);
  return d
    ? format(
        { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' },
        'datetime',
      ).format(d)
    : value;
}

/**
 * The time of day of a zone-less local date-time `YYYY-MM-DDTHH:MM[:SS]` (a session's
 * schedule, already in the session's time zone): taken from the text, never shifted.
 */
export function localTime(value: string): string {
  const m = /T(\d{2}:\d{2})/.exec(value);
  return m?.[1] ?? value;
}

/** The date part of a zone-less local date-time, as written. */
export function localDate(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  return m?.[1] ?? value;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** A size in bytes for people: `999 B`, `1.5 kB`, `12 MB` (powers of 1000, like file managers). */
export function formatBytes(bytes: number | bigint): string {
  let value = Number(bytes);
  if (!Number.isFinite(value) || value < 0) return String(bytes);
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const number = new Intl.NumberFormat(getLocale() === 'en' ? 'en-GB' : getLocale(), {
    maximumFractionDigits: digits,
  }).format(value);
  return `${number} ${BYTE_UNITS[unit]}`;
}

/** Today's local date as `YYYY-MM-DD` (for file names and date fields). */
export function todayIso(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}
