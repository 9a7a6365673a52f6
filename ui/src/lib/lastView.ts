/**
 * The last view, remembered per workspace: the hash route is saved in localStorage on every
 * navigation and restored when the app starts on Home (its start page) in the same
 * workspace. A route of another workspace never leaks in (the key names the path).
 */
const PREFIX = 'insisst.lastView:';

function key(workspacePath: string): string {
  return PREFIX + workspacePath;
}

export function saveLastView(workspacePath: string, hash: string): void {
  try {
    localStorage.setItem(key(workspacePath), hash);
  } catch {
    /* storage unavailable: start on Home next time */
  }
}

/** The saved route of this workspace, if it is an app route (`#/…`). */
export function lastView(workspacePath: string): string | null {
  try {
    const value = localStorage.getItem(key(workspacePath));
    return value && value.startsWith('#/') && value !== '#/' ? value : null;
  } catch {
    return null;
  }
}
