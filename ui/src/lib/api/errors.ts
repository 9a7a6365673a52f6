import type { AppError } from '../bindings/AppError';
import { t } from '../i18n';

export type { AppError };

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * Normalise whatever a rejected `invoke` (or anything else) threw into an AppError.
 * Our commands reject with `{code, message}`; Tauri itself may reject with a plain
 * string (unknown command, bad arguments), and JS code with an Error.
 */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'internal', message: error.message };
  if (typeof error === 'string' && error.length > 0) return { code: 'internal', message: error };
  return { code: 'unknown', message: t('error.unknown') };
}

/** A readable, single-line message for the UI: never a raw object. */
export function errorMessage(error: unknown): string {
  const e = toAppError(error);
  const message = e.message.trim() || t('error.unknown');
  return e.code && e.code !== 'internal' && e.code !== 'unknown'
    ? t('error.withCode', { message, code: e.code })
    : message;
}
