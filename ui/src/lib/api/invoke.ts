import { invoke } from '@tauri-apps/api/core';
import { toAppError } from './errors';

/** `invoke` whose rejection is always an AppError `{code, message}`. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}
