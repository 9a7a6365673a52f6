import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConflictDetail } from '../bindings/ConflictDetail';
import type { ConflictSummary } from '../bindings/ConflictSummary';
import type { RecordDetail } from '../bindings/RecordDetail';
import { CONFLICTS, fakeApi, withApi } from '../../test/fakeApi';
import ConflictsPanel from './ConflictsPanel.svelte';

const DETAIL: ConflictDetail = {
  id: 'note-7',
  kind: 'note',
  title: 'Study visit Århus',
  versions: [
    {
      rev: '3-bbb',
      is_winner: true,
      author: 'Åsa Łukasik',
      author_org: 'THL',
      created_at: '2026-11-21T10:00:00Z',
      record: {
        id: 'note-7',
        kind: 'note',
        rev: '3-bbb',
        created_at: '2026-10-01T08:00:00Z',
        updated_at: '2026-11-21T10:00:00Z',
        title: 'Study visit Århus',
        body: 'Our notes',
        tags: ['housing'],
        language: 'en',
      },
    },
    {
      rev: '3-aaa',
      is_winner: false,
      author: 'Søren Østergaard',
      author_org: 'SIA',
      created_at: '2026-11-20T15:30:00Z',
      record: {
        id: 'note-7',
        kind: 'note',
        rev: '3-aaa',
        created_at: '2026-10-01T08:00:00Z',
        updated_at: '2026-11-20T15:30:00Z',
        title: 'Study visit Aarhus',
        body: 'Their notes',
        tags: ['housing'],
        note_kind: 'case_study',
      },
    },
  ],
};

function resolvedRecord(title = 'Study visit Århus'): RecordDetail {
  return {
    id: 'note-7',
    kind: 'note',
    title,
    rev: '4-ccc',
    created_at: '2026-10-01T08:00:00Z',
    updated_at: '2026-11-27T10:00:00Z',
    record: {},
    links: [],
    backlinks: [],
    schedule: null,
    revision_count: 4,
    body_html: null,
  };
}

/** The conflicts list shrinks once `note-7` is resolved, like the real one. */
function api(): ReturnType<typeof fakeApi> {
  let resolved = false;
  return fakeApi({
    exchange: {
      conflicts: async (): Promise<ConflictSummary[]> => (resolved ? CONFLICTS.slice(1) : CONFLICTS),
      conflict: async () => DETAIL,
      resolve: async () => {
        resolved = true;
        return resolvedRecord();
      },
    },
  });
}

beforeEach(() => {
  window.location.hash = '';
});

describe('ConflictsPanel', () => {
  it('lists the conflicts with kind and number of versions', async () => {
    const fake = api();
    const onconflicts = vi.fn();
    render(ConflictsPanel, { props: { id: null, onconflicts }, ...withApi(fake) });
    const items = await screen.findAllByTestId('conflict-item');
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('Study visit Århus');
    expect(items[0]?.textContent).toContain('Note');
    expect(items[0]?.textContent).toContain('2 versions');
    expect(items[1]?.textContent).toContain('3 versions');
    expect(items[1]?.getAttribute('href')).toBe('#/conflicts/session-2');
    expect(onconflicts).toHaveBeenCalledWith(CONFLICTS);
  });

  it('says what conflicts are when there are none', async () => {
    render(ConflictsPanel, { props: { id: null }, ...withApi(fakeApi()) });
    expect((await screen.findByTestId('conflicts-empty')).textContent).toContain('No conflicts');
  });

  it('shows the versions side by side, winner first, differing fields marked', async () => {
    const fake = api();
    render(ConflictsPanel, { props: { id: 'note-7' }, ...withApi(fake) });
    const detail = await screen.findByTestId('conflict-detail');
    expect(fake.exchange.conflict).toHaveBeenCalledWith('note-7');
    const versions = within(detail).getAllByTestId('conflict-version');
    expect(versions.map((v) => v.getAttribute('data-rev'))).toEqual(['3-bbb', '3-aaa']);
    expect(versions[0]?.textContent).toContain('Shown now');
    expect(versions[0]?.textContent).toContain('Åsa Łukasik, THL');
    expect(versions[1]?.textContent).toContain('Søren Østergaard, SIA');
    const winner = versions[0] as HTMLElement;
    const fields = [...winner.querySelectorAll('[data-field]')].map((c) => c.getAttribute('data-field'));
    expect(fields).toEqual(['title', 'body', 'tags', 'language', 'note_kind']);
    const differing = [...winner.querySelectorAll('[data-differs]')].map((c) => c.getAttribute('data-field'));
    expect(differing).toEqual(['title', 'body', 'language', 'note_kind']);
    expect(winner.querySelector('[data-field="body"]')?.textContent).toContain('Our notes');
    expect(versions[1]?.querySelector('[data-field="body"]')?.textContent).toContain('Their notes');
    expect(versions[1]?.querySelector('[data-field="note_kind"]')?.textContent).toContain('Case study');

    await fireEvent.click(screen.getByTestId('conflict-only-differing'));
    expect(winner.querySelector('[data-field="tags"]')).toBeNull();
  });

  it('keeps one version: sends its rev, then the list refreshes without it', async () => {
    const fake = api();
    render(ConflictsPanel, { props: { id: 'note-7' }, ...withApi(fake) });
    const versions = await screen.findAllByTestId('conflict-version');
    await fireEvent.click(within(versions[1] as HTMLElement).getByTestId('conflict-pick'));
    expect(fake.exchange.resolve).toHaveBeenCalledWith({ id: 'note-7', pick: '3-aaa', content: null });
    expect((await screen.findByTestId('conflict-resolved')).textContent).toContain('Resolved: “Study visit Århus”');
    await waitFor(() => expect(screen.getAllByTestId('conflict-item')).toHaveLength(1));
    expect(screen.getByTestId('conflict-item').getAttribute('data-id')).toBe('session-2');
    expect(screen.queryByTestId('conflict-detail')).toBeNull();
    expect(window.location.hash).toBe('#/exchange/conflicts');
  });

  it('merges field by field: sends the merged fields without store-owned ones', async () => {
    const fake = api();
    render(ConflictsPanel, { props: { id: 'note-7' }, ...withApi(fake) });
    await screen.findByTestId('conflict-detail');
    expect(screen.queryAllByTestId('conflict-merge-choice')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('conflict-merge'));
    expect(screen.queryAllByTestId('conflict-pick')).toHaveLength(0);

    const choices = screen.getAllByTestId('conflict-merge-choice') as HTMLInputElement[];
    // One radio per differing field and version; the winner's value is chosen at first.
    expect(choices).toHaveLength(8);
    const radio = (field: string, rev: string) =>
      choices.find((c) => c.dataset.field === field && c.dataset.rev === rev) as HTMLInputElement;
    expect(radio('title', '3-bbb').checked).toBe(true);
    expect(radio('title', '3-aaa').checked).toBe(false);

    await fireEvent.click(radio('body', '3-aaa'));
    await fireEvent.click(radio('note_kind', '3-aaa'));
    expect(radio('body', '3-aaa').checked).toBe(true);
    expect(screen.getByTestId('conflict-merge-count').textContent).toBe('2 fields taken from other versions');
    await fireEvent.click(screen.getByTestId('conflict-merge-save'));

    expect(fake.exchange.resolve).toHaveBeenCalledTimes(1);
    expect(fake.exchange.resolve).toHaveBeenCalledWith({
      id: 'note-7',
      pick: null,
      content: {
        title: 'Study visit Århus',
        body: 'Their notes',
        tags: ['housing'],
        language: 'en',
        note_kind: 'case_study',
      },
    });
    await screen.findByTestId('conflict-resolved');
  });

  it('shows a failed resolve and keeps the versions', async () => {
    const fake = fakeApi({
      exchange: {
        conflicts: async () => CONFLICTS,
        conflict: async () => DETAIL,
        resolve: async () => {
          throw { code: 'stale', message: 'The record changed meanwhile' };
        },
      },
    });
    render(ConflictsPanel, { props: { id: 'note-7' }, ...withApi(fake) });
    const versions = await screen.findAllByTestId('conflict-version');
    await fireEvent.click(within(versions[0] as HTMLElement).getByTestId('conflict-pick'));
    expect((await screen.findByTestId('error')).textContent).toContain('The record changed meanwhile (stale)');
    expect(screen.getByTestId('conflict-detail')).toBeTruthy();
  });
});
