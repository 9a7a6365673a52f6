/**
 * The keyboard shortcuts, as a small reader of keydown events that tells the app what to
 * do. Plain keys (`g` then a letter, `?`) are ignored while the person types in a field;
 * Ctrl (⌘) combinations work everywhere.
 *
 * - Ctrl+K: search / command palette
 * - Ctrl+N: new note; Ctrl+Shift+N: new session
 * - g then h a s n c o m e , (r v f): go to Home, Learning agenda, Sessions, Notes, Contacts,
 *   Organisations, Methods, Exchange, Settings (Reviews, Evaluations, Attachments)
 * - Ctrl+,: Settings
 * - ?: the list of shortcuts
 */
import { goTarget, type NavItem } from './nav';
import { settingsHref } from './router.svelte';

export type ShortcutAction =
  | { type: 'search' }
  | { type: 'new'; kind: 'note' | 'session' }
  | { type: 'go'; href: string; item: NavItem | null }
  | { type: 'help' };

/** How long `g` waits for its second key, in ms. */
export const GO_TIMEOUT = 1500;

/** Whether the event comes from somewhere people type. */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  if (el.closest('textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  const input = el.closest('input');
  if (!input) return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(input.type);
}

export class ShortcutReader {
  /** When `g` was pressed, or null. */
  private pendingSince: number | null = null;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Whether `g` was pressed and awaits its second key. */
  get pending(): boolean {
    return this.pendingSince !== null && this.now() - this.pendingSince <= GO_TIMEOUT;
  }

  /** What `event` asks for, or null (then the event is not ours: leave it alone). */
  read(event: KeyboardEvent): ShortcutAction | null {
    const key = event.key;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && !event.altKey) {
      this.pendingSince = null;
      const lower = key.toLowerCase();
      if (lower === 'k' && !event.shiftKey) return { type: 'search' };
      if (lower === 'n') return { type: 'new', kind: event.shiftKey ? 'session' : 'note' };
      if (key === ',' && !event.shiftKey) return { type: 'go', href: settingsHref(), item: null };
      return null;
    }
    if (mod || event.altKey || isTyping(event.target)) {
      this.pendingSince = null;
      return null;
    }
    if (['Shift', 'Control', 'Meta', 'Alt', 'CapsLock'].includes(key)) return null;
    if (this.pending) {
      this.pendingSince = null;
      const item = goTarget(key);
      return item ? { type: 'go', href: item.href, item } : null;
    }
    if (key === 'g' || key === 'G') {
      this.pendingSince = this.now();
      return null;
    }
    if (key === '?') return { type: 'help' };
    return null;
  }
}
