/**
 * Autosave of a record being written: changes are saved after a pause in typing, one save at
 * a time, each with the revision the previous one produced (so a change made elsewhere is
 * the core's `conflict`, never overwritten). Every change is first written to a draft
 * journal (localStorage, synchronously): a window closed or a process killed between two
 * saves loses nothing; the draft is offered back when the record is opened again.
 */

export type SaveState =
  | { kind: 'saved' }
  | { kind: 'pending' }
  | { kind: 'saving' }
  | { kind: 'error'; message: string; conflict: boolean };

/** Where unsaved changes wait: survives the window. */
export interface DraftJournal<T> {
  write(draft: Draft<T>): void;
  read(): Draft<T> | null;
  clear(): void;
}

export interface Draft<T> {
  /** The revision the changes were made on. */
  baseRev: string;
  value: T;
  /** When the last change was made (ms since the epoch). */
  changedAt: number;
}

export interface AutosaveOptions<T> {
  delayMs: number;
  rev: string;
  /** Saves `value` on top of `expectedRev`; resolves with the new revision. */
  save: (value: T, expectedRev: string) => Promise<string>;
  onstate: (state: SaveState) => void;
  /** What a failed save says, and whether it failed because the record changed meanwhile. */
  describe: (error: unknown) => { message: string; conflict: boolean };
  journal?: DraftJournal<T>;
  now?: () => number;
}

/** Every autosave with work outstanding: what closing the window waits for. */
const live = new Set<Autosave<unknown>>();

/** Saves whatever is outstanding everywhere (the window is closing). */
export async function flushAll(): Promise<void> {
  await Promise.all([...live].map((a) => a.flush().catch(() => undefined)));
}

export class Autosave<T> {
  private pending: { value: T } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: Promise<void> | null = null;
  private current: string;
  private blockedByConflict = false;

  constructor(private readonly options: AutosaveOptions<T>) {
    this.current = options.rev;
  }

  /** The revision the next save builds on. */
  get rev(): string {
    return this.current;
  }

  /** Unsaved changes are waiting (or being saved). */
  get dirty(): boolean {
    return this.pending !== null || this.inflight !== null;
  }

  /** A new value: journalled now, saved after the pause. */
  change(value: T): void {
    this.pending = { value };
    live.add(this as Autosave<unknown>);
    this.options.journal?.write({ baseRev: this.current, value, changedAt: (this.options.now ?? Date.now)() });
    if (this.blockedByConflict) return;
    this.options.onstate({ kind: 'pending' });
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => undefined);
    }, this.options.delayMs);
  }

  /** Saves what is outstanding now and waits for it. Rejects if the save failed. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inflight) await this.inflight;
    if (!this.pending || this.blockedByConflict) return;
    const { value } = this.pending;
    this.pending = null;
    this.options.onstate({ kind: 'saving' });
    let failure: unknown = null;
    this.inflight = this.options
      .save(value, this.current)
      .then(
        (rev) => {
          this.current = rev;
          if (this.pending) {
            // Typed during the save: journal again on the new base.
            this.options.journal?.write({
              baseRev: rev,
              value: this.pending.value,
              changedAt: (this.options.now ?? Date.now)(),
            });
          } else {
            this.options.journal?.clear();
            live.delete(this as Autosave<unknown>);
            this.options.onstate({ kind: 'saved' });
          }
        },
        (e: unknown) => {
          failure = e;
          this.pending ??= { value };
          const { message, conflict } = this.options.describe(e);
          // After a conflict no further save is tried: the person decides (reload or copy).
          this.blockedByConflict = conflict;
          this.options.onstate({ kind: 'error', message, conflict });
        },
      )
      .finally(() => {
        this.inflight = null;
      });
    await this.inflight;
    if (failure !== null) throw failure;
    if (this.pending && !this.timer) await this.flush();
  }

  /**
   * Runs another write of the same record (attaching a file) between saves: outstanding
   * changes are saved first, and the revision it produces is the base of the next save.
   */
  async exclusive(write: (rev: string) => Promise<string>): Promise<void> {
    await this.flush();
    while (this.inflight) await this.inflight;
    let done!: () => void;
    this.inflight = new Promise<void>((resolve) => (done = resolve));
    try {
      this.current = await write(this.current);
    } finally {
      this.inflight = null;
      done();
    }
  }

  /**
   * Makes `rev` the base of the next save (a recovered draft keeps the revision it was
   * written on: if the record moved on since, that save is the core's `conflict`).
   */
  rebase(rev: string): void {
    this.current = rev;
  }

  /** Stops the timer; outstanding changes stay in the journal. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    live.delete(this as Autosave<unknown>);
  }
}

/** The draft journal of record `id` in `storage` (localStorage in the app). */
export function storageJournal<T>(id: string, storage: Storage | undefined = globalThis.localStorage): DraftJournal<T> {
  const key = `insisst.draft.${id}`;
  return {
    write(draft) {
      try {
        storage?.setItem(key, JSON.stringify(draft));
      } catch {
        // Storage full or disabled: the autosave itself still runs.
      }
    },
    read() {
      try {
        const raw = storage?.getItem(key);
        if (!raw) return null;
        const draft = JSON.parse(raw) as Draft<T>;
        return typeof draft.baseRev === 'string' && typeof draft.changedAt === 'number' ? draft : null;
      } catch {
        return null;
      }
    },
    clear() {
      try {
        storage?.removeItem(key);
      } catch {
        // Nothing to do: a stale draft is offered once and can be discarded.
      }
    },
  };
}
