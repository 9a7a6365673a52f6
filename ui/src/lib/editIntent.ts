/**
 * "Open this record in its editor": set by whoever creates a record (a new note opens
 * ready to write in), taken once by the detail view that shows it.
 */
let pending: string | null = null;

export function requestEdit(id: string): void {
  pending = id;
}

/** True once for the id last requested. */
export function takeEditRequest(id: string): boolean {
  if (pending !== id) return false;
  pending = null;
  return true;
}
