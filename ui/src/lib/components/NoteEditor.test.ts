import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RecordDetail } from '../../lib/bindings/RecordDetail';
import { fakeApi, withApi } from '../../test/fakeApi';
import NoteEditor from './NoteEditor.svelte';

function note(rev: string, fields: Record<string, unknown> = {}): RecordDetail {
  const record = { id: 'n1', kind: 'note', rev, title: 'Notes from Łódź', body: 'First line', tags: ['pilot'], ...fields };
  return {
    id: 'n1',
    kind: 'note',
    title: String(record.title),
    rev,
    created_at: '2026-11-01T08:00:00Z',
    updated_at: '2026-11-01T08:00:00Z',
    revision_count: Number(rev.split('-')[0]),
    body_html: null,
    record: record as RecordDetail['record'],
    links: [],
    backlinks: [],
    schedule: null,
  };
}

describe('NoteEditor', () => {
  beforeEach(() => localStorage.clear());

  it('saves a changed title by itself, with the revision it read, and shows the preview', async () => {
    let generation = 1;
    const api = fakeApi({
      update: async (_id, fields) => {
        generation += 1;
        return note(`${generation}-x`, fields);
      },
      preview: async (_id, body) => `<p class="p">${body}</p>`,
    });
    const closed: RecordDetail[] = [];
    render(NoteEditor, { ...withApi(api), props: { detail: note('1-a'), onclose: (d: RecordDetail) => closed.push(d) } });
    const preview = await screen.findByTestId('note-preview');
    expect(preview.innerHTML).toContain('First line');
    await fireEvent.input(screen.getByTestId('note-title'), { target: { value: 'Notes from Łódź, day 2' } });
    expect(screen.getByTestId('note-save-state').dataset.state).toBe('pending');
    expect(localStorage.getItem('insisst.draft.n1')).toContain('day 2');
    await waitFor(() => expect(api.records.update).toHaveBeenCalledTimes(1), { timeout: 2000 });
    expect(api.records.update).toHaveBeenCalledWith(
      'n1',
      expect.objectContaining({ title: 'Notes from Łódź, day 2', body: 'First line', tags: ['pilot'] }),
      '1-a',
    );
    await waitFor(() => expect(screen.getByTestId('note-save-state').dataset.state).toBe('saved'));
    expect(localStorage.getItem('insisst.draft.n1')).toBeNull();

    await fireEvent.input(screen.getByTestId('note-tags'), { target: { value: 'pilot, housing' } });
    await fireEvent.click(screen.getByTestId('note-done'));
    await waitFor(() => expect(closed).toHaveLength(1));
    expect(api.records.update).toHaveBeenLastCalledWith('n1', expect.objectContaining({ tags: ['pilot', 'housing'] }), '2-x');
    expect(closed[0]!.rev).toBe('3-x');
  });

  it('offers back a draft the window closed on, and a conflict stops saving with a reload', async () => {
    localStorage.setItem(
      'insisst.draft.n1',
      JSON.stringify({ baseRev: '1-a', value: { title: 'Unsaved title', note_kind: '', tags: 'pilot', body: 'Draft' }, changedAt: 0 }),
    );
    const api = fakeApi({
      update: async () => {
        throw { code: 'conflict', message: 'record n1 changed since revision 1-a' };
      },
      get: async () => note('2-b', { title: 'Changed elsewhere' }),
    });
    const closed: RecordDetail[] = [];
    render(NoteEditor, { ...withApi(api), props: { detail: note('1-a'), onclose: (d: RecordDetail) => closed.push(d) } });
    const banner = await screen.findByTestId('note-draft');
    await fireEvent.click(within(banner).getByTestId('note-draft-keep'));
    expect((screen.getByTestId('note-title') as HTMLInputElement).value).toBe('Unsaved title');
    await waitFor(() => expect(screen.getByTestId('note-error').textContent).toContain('changed since'), {
      timeout: 2000,
    });
    expect(localStorage.getItem('insisst.draft.n1')).toContain('Unsaved title');
    await fireEvent.click(screen.getByTestId('note-reload'));
    await waitFor(() => expect(closed.map((d) => d.title)).toEqual(['Changed elsewhere']));
    expect(localStorage.getItem('insisst.draft.n1')).toBeNull();
  });

  it('refuses to save an empty title and says why', async () => {
    const api = fakeApi({ update: async (_id, fields) => note('2-x', fields) });
    render(NoteEditor, { ...withApi(api), props: { detail: note('1-a'), onclose: () => {} } });
    await fireEvent.input(screen.getByTestId('note-title'), { target: { value: '  ' } });
    await waitFor(() => expect(screen.getByTestId('note-error').textContent).toContain('needs a title'), {
      timeout: 2000,
    });
    expect(api.records.update).not.toHaveBeenCalled();
  });
});
