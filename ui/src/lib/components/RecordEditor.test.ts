import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { RecordDetail as Detail } from '../../lib/bindings/RecordDetail';
import type { RevisionEntry } from '../../lib/bindings/RevisionEntry';
import { fakeApi, withApi } from '../../test/fakeApi';
import RecordDetail from './RecordDetail.svelte';

function question(rev: string, title: string, more: Record<string, unknown> = {}): Detail {
  return {
    id: 'q1',
    kind: 'question',
    title,
    rev,
    created_at: '2026-10-01T08:00:00Z',
    updated_at: '2026-11-02T09:30:00Z',
    revision_count: Number(rev.split('-')[0]),
    body_html: null,
    record: {
      id: 'q1',
      kind: 'question',
      rev,
      title,
      status: 'open',
      priority: 'high',
      theme: 'housing',
      tags: ['pilot'],
      provisional_answer: 'Start small in Łódź',
      created_at: '2026-10-01T08:00:00Z',
      updated_at: '2026-11-02T09:30:00Z',
      ...more,
    } as Detail['record'],
    links: [],
    backlinks: [{ id: 's1', kind: 'session', title: 'Peer exchange Århus', rel: 'links' }],
    schedule: null,
  };
}

const HISTORY: RevisionEntry[] = [
  {
    rev: '2-bbb',
    generation: 2,
    author: 'Åsa Łukasik',
    author_org: 'THL',
    created_at: '2026-11-02T09:30:00Z',
    deleted: false,
    is_winner: true,
    stub: false,
    title: 'How do we scale housing first?',
    record: { title: 'How do we scale housing first?', status: 'open', rev: '2-bbb' },
  },
  {
    rev: '1-aaa',
    generation: 1,
    author: 'Søren Østergaard',
    author_org: 'SIA',
    created_at: '2026-10-01T08:00:00Z',
    deleted: false,
    is_winner: false,
    stub: false,
    title: 'Housing first in Århus?',
    record: { title: 'Housing first in Århus?', status: 'open', theme: 'housing', rev: '1-aaa' },
  },
  {
    rev: '0-zzz',
    generation: 0,
    author: 'unknown',
    author_org: null,
    created_at: '2026-09-01T08:00:00Z',
    deleted: false,
    is_winner: false,
    stub: true,
    title: '',
    record: null,
  },
];

describe('RecordDetail editing and history', () => {
  it('edits the fields and saves the whole record with the revision it was read at', async () => {
    const update = vi.fn(async (_id: string, fields: Record<string, unknown>) =>
      question('3-ccc', String(fields.title), fields),
    );
    const api = fakeApi({ get: async () => question('2-bbb', 'How do we scale housing first?'), update });
    render(RecordDetail, { props: { id: 'q1' }, ...withApi(api) });

    await fireEvent.click(await screen.findByTestId('detail-edit'));
    const form = screen.getByTestId('record-editor');
    expect((within(form).getByTestId('edit-status') as HTMLSelectElement).value).toBe('open');
    expect((within(form).getByTestId('edit-provisional_answer') as HTMLTextAreaElement).value).toBe('Start small in Łódź');
    await fireEvent.input(within(form).getByTestId('edit-title'), { target: { value: 'Scale housing first in Plzeň?' } });
    await fireEvent.change(within(form).getByTestId('edit-status'), { target: { value: 'provisional' } });
    await fireEvent.input(within(form).getByTestId('edit-tags'), { target: { value: 'pilot, , cities ' } });
    await fireEvent.input(within(form).getByTestId('edit-theme'), { target: { value: '' } });
    await fireEvent.click(within(form).getByTestId('edit-save'));

    await vi.waitFor(() => expect(update).toHaveBeenCalledTimes(1));
    const [id, fields, expectedRev] = update.mock.calls[0] as unknown as [string, Record<string, unknown>, string];
    expect(id).toBe('q1');
    expect(expectedRev).toBe('2-bbb');
    expect(fields.title).toBe('Scale housing first in Plzeň?');
    expect(fields.status).toBe('provisional');
    expect(fields.priority).toBe('high');
    expect(fields.tags).toEqual(['pilot', 'cities']);
    expect('theme' in fields).toBe(false); // cleared: left out, not sent empty
    expect('rev' in fields).toBe(false);
    expect((await screen.findByTestId('detail-title')).textContent).toBe('Scale housing first in Plzeň?');
    await vi.waitFor(() => expect(screen.queryByTestId('record-editor')).toBeNull());
  });

  it('shows a stale revision as a readable error beside the form and keeps the edits', async () => {
    const update = vi.fn(async (): Promise<Detail> => {
      throw { code: 'conflict', message: 'record q1 changed since revision 2-bbb (now 3-ddd); reload it and try again' };
    });
    const api = fakeApi({ get: async () => question('2-bbb', 'Old title'), update });
    render(RecordDetail, { props: { id: 'q1' }, ...withApi(api) });

    await fireEvent.click(await screen.findByTestId('detail-edit'));
    await fireEvent.input(screen.getByTestId('edit-title'), { target: { value: 'My edit' } });
    await fireEvent.click(screen.getByTestId('edit-save'));

    const error = await screen.findByTestId('edit-error');
    expect(error.textContent).toContain('changed since revision 2-bbb');
    expect(error.textContent).toContain('conflict');
    expect(within(screen.getByTestId('record-editor')).getByTestId('edit-error')).toBeTruthy();
    expect((screen.getByTestId('edit-title') as HTMLInputElement).value).toBe('My edit');
    expect(screen.getByTestId('detail-title').textContent).toBe('Old title');

    // Reload reads the record again and closes the form.
    expect(api.records.get).toHaveBeenCalledTimes(1);
    await fireEvent.click(screen.getByTestId('edit-reload'));
    await vi.waitFor(() => expect(api.records.get).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(screen.queryByTestId('record-editor')).toBeNull());
  });

  it('lists the history newest first and restores an older revision by its rev', async () => {
    const restore = vi.fn(async () => question('3-ccc', 'Housing first in Århus?'));
    const api = fakeApi({
      get: async () => question('2-bbb', 'How do we scale housing first?'),
      history: async () => HISTORY,
      restore,
    });
    render(RecordDetail, { props: { id: 'q1' }, ...withApi(api) });

    await fireEvent.click(await screen.findByTestId('detail-history'));
    const entries = await screen.findAllByTestId('history-entry');
    expect(entries.map((e) => e.dataset.rev)).toEqual(['2-bbb', '1-aaa', '0-zzz']);
    expect(within(entries[0]!).getByTestId('history-current')).toBeTruthy();
    expect(within(entries[0]!).queryByTestId('history-restore')).toBeNull();
    expect(entries[1]!.textContent).toContain('Søren Østergaard · SIA');
    expect(entries[2]!.textContent).toContain('Made elsewhere');
    expect(within(entries[2]!).queryByTestId('history-restore')).toBeNull();

    await fireEvent.click(within(entries[1]!).getByTestId('history-preview'));
    const preview = within(entries[1]!).getByTestId('history-fields');
    expect(preview.textContent).toContain('Housing first in Århus?');
    expect(preview.textContent).toContain('housing');

    await fireEvent.click(within(entries[1]!).getByTestId('history-restore'));
    expect(restore).toHaveBeenCalledWith('q1', '1-aaa');
    await vi.waitFor(() => expect(screen.getByTestId('detail-title').textContent).toBe('Housing first in Århus?'));
    // the history reloads for the new current revision
    await vi.waitFor(() => expect(api.records.history).toHaveBeenCalledTimes(2));
  });

  it('deletes only after confirmation', async () => {
    const ondeleted = vi.fn();
    const api = fakeApi({ get: async () => question('2-bbb', 'Doomed') });
    render(RecordDetail, { props: { id: 'q1', ondeleted }, ...withApi(api) });

    await fireEvent.click(await screen.findByTestId('detail-delete'));
    expect(api.records.remove).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('delete-yes'));
    expect(api.records.remove).toHaveBeenCalledWith('q1');
    await vi.waitFor(() => expect(ondeleted).toHaveBeenCalledWith('question'));
  });
});

describe('RecordEditor for a contact', () => {
  it('edits nested consent fields, lists and a checkbox, and drops what was emptied', async () => {
    const contact: Detail = {
      id: 'c1',
      kind: 'contact',
      title: 'Aino Virtanen',
      rev: '1-a',
      created_at: '2026-10-01T08:00:00Z',
      updated_at: '2026-10-01T08:00:00Z',
      revision_count: 1,
      body_html: null,
      record: {
        id: 'c1',
        kind: 'contact',
        rev: '1-a',
        title: 'Aino Virtanen',
        email: 'aino@example.org',
        languages: ['fi'],
        consent: { basis: 'consent', note: 'asked at the Tampere workshop' },
      } as Detail['record'],
      links: [],
      backlinks: [],
      schedule: null,
    };
    const api = fakeApi({
      get: async () => contact,
      update: async (_id, fields) => ({ ...contact, rev: '2-b', record: fields as Detail['record'] }),
    });
    render(RecordDetail, { props: { id: 'c1' }, ...withApi(api) });
    expect((await screen.findByTestId('consent-panel')).dataset.level).toBe('private');
    await fireEvent.click(screen.getByTestId('detail-edit'));
    const form = await screen.findByTestId('record-editor');
    await fireEvent.input(within(form).getByTestId('edit-languages'), { target: { value: 'fi, en ' } });
    await fireEvent.click(within(form).getByTestId('edit-consent.share_with_partners'));
    await fireEvent.input(within(form).getByTestId('edit-consent.recorded_at'), { target: { value: '2026-09-14' } });
    await fireEvent.input(within(form).getByTestId('edit-consent.note'), { target: { value: '' } });
    await fireEvent.input(within(form).getByTestId('edit-email'), { target: { value: '' } });
    await fireEvent.click(within(form).getByTestId('edit-save'));
    expect(api.records.update).toHaveBeenCalledWith(
      'c1',
      {
        id: 'c1',
        kind: 'contact',
        title: 'Aino Virtanen',
        languages: ['fi', 'en'],
        consent: { basis: 'consent', recorded_at: '2026-09-14', share_with_partners: true },
      },
      '1-a',
    );
    expect((await screen.findByTestId('consent-panel')).dataset.level).toBe('shared');
  });
});
