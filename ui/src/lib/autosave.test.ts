import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Autosave, flushAll, storageJournal, type Draft, type DraftJournal, type SaveState } from './autosave';

function memoryJournal(): DraftJournal<string> & { draft: Draft<string> | null } {
  const j = {
    draft: null as Draft<string> | null,
    write(d: Draft<string>) {
      j.draft = d;
    },
    read: () => j.draft,
    clear() {
      j.draft = null;
    },
  };
  return j;
}

function setup(save: (value: string, rev: string) => Promise<string>) {
  const states: SaveState[] = [];
  const journal = memoryJournal();
  const autosave = new Autosave<string>({
    delayMs: 500,
    rev: '1-a',
    save,
    onstate: (s) => states.push(s),
    describe: (e) => ({ message: String(e), conflict: String(e).includes('conflict') }),
    journal,
    now: () => 42,
  });
  return { autosave, states, journal };
}

describe('Autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves once after a pause in typing, on the revision the last save produced', async () => {
    const saves: [string, string][] = [];
    let n = 1;
    const { autosave, states, journal } = setup(async (value, rev) => {
      saves.push([value, rev]);
      n += 1;
      return `${n}-x`;
    });
    autosave.change('h');
    autosave.change('he');
    expect(journal.draft).toEqual({ baseRev: '1-a', value: 'he', changedAt: 42 });
    await vi.advanceTimersByTimeAsync(400);
    autosave.change('hel');
    await vi.advanceTimersByTimeAsync(499);
    expect(saves).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(saves).toEqual([['hel', '1-a']]);
    expect(journal.draft).toBeNull();
    autosave.change('hello');
    await vi.advanceTimersByTimeAsync(500);
    expect(saves).toEqual([
      ['hel', '1-a'],
      ['hello', '2-x'],
    ]);
    expect(states.at(-1)).toEqual({ kind: 'saved' });
    expect(autosave.dirty).toBe(false);
  });

  it('flush saves at once and waits; typing during a save is saved after it, nothing lost', async () => {
    const saved: string[] = [];
    let release: (() => void) | null = null;
    const { autosave, journal } = setup(
      (value) =>
        new Promise<string>((resolve) => {
          release = () => {
            saved.push(value);
            resolve(`${saved.length + 1}-y`);
          };
        }),
    );
    autosave.change('a');
    const flushing = autosave.flush();
    autosave.change('ab');
    expect(journal.draft?.value).toBe('ab');
    release!();
    await vi.advanceTimersByTimeAsync(0);
    expect(journal.draft).toEqual({ baseRev: '2-y', value: 'ab', changedAt: 42 });
    await flushing;
    const all = flushAll();
    await vi.advanceTimersByTimeAsync(0);
    release!();
    await all;
    expect(saved).toEqual(['a', 'ab']);
    expect(journal.draft).toBeNull();
  });

  it('a conflict stops saving and keeps the draft; other errors retry on the next change', async () => {
    let fail: string | null = 'conflict: changed elsewhere';
    const { autosave, states, journal } = setup(async () => {
      if (fail) throw fail;
      return '2-z';
    });
    autosave.change('x');
    await expect(autosave.flush()).rejects.toBe('conflict: changed elsewhere');
    expect(states.at(-1)).toEqual({ kind: 'error', message: 'conflict: changed elsewhere', conflict: true });
    expect(journal.draft?.value).toBe('x');
    autosave.change('xy');
    await vi.advanceTimersByTimeAsync(1000);
    expect(journal.draft?.value).toBe('xy');
    expect(autosave.dirty).toBe(true);

    const other = setup(async () => {
      if (fail) throw fail;
      return '2-z';
    });
    fail = 'io: disk full';
    other.autosave.change('q');
    await expect(other.autosave.flush()).rejects.toBe('io: disk full');
    fail = null;
    other.autosave.change('qr');
    await vi.advanceTimersByTimeAsync(500);
    expect(other.states.at(-1)).toEqual({ kind: 'saved' });
    expect(other.journal.draft).toBeNull();
  });

  it('exclusive writes run between saves and their revision is the next base', async () => {
    const seen: string[] = [];
    const { autosave } = setup(async (value, rev) => {
      seen.push(`${value}@${rev}`);
      return rev === '1-a' ? '2-b' : '4-d';
    });
    autosave.change('one');
    await autosave.exclusive(async (rev) => {
      seen.push(`attach@${rev}`);
      return '3-c';
    });
    autosave.change('two');
    await autosave.flush();
    expect(seen).toEqual(['one@1-a', 'attach@2-b', 'two@3-c']);
    expect(autosave.rev).toBe('4-d');
  });
});

describe('storageJournal', () => {
  it('keeps a draft per record and ignores what is not one', () => {
    const journal = storageJournal<{ body: string }>('r1', localStorage);
    expect(journal.read()).toBeNull();
    journal.write({ baseRev: '3-c', value: { body: 'text' }, changedAt: 7 });
    expect(storageJournal('r2', localStorage).read()).toBeNull();
    expect(journal.read()).toEqual({ baseRev: '3-c', value: { body: 'text' }, changedAt: 7 });
    journal.clear();
    expect(journal.read()).toBeNull();
    localStorage.setItem('insisst.draft.r3', '{not json');
    expect(storageJournal('r3', localStorage).read()).toBeNull();
  });
});
