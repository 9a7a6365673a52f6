import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, pagedList, withApi } from '../../test/fakeApi';
import RecordList, { PAGE_SIZE, ROW_HEIGHT } from './RecordList.svelte';

describe('RecordList', () => {
  it('renders rows from a page: title, status, tags, date', async () => {
    const api = fakeApi({ list: pagedList(5) });
    render(RecordList, { props: { kind: 'note', onopen: vi.fn() }, ...withApi(api) });
    const rows = await screen.findAllByTestId('record-row');
    expect(rows).toHaveLength(5);
    expect(api.records.list).toHaveBeenCalledWith('note', 0, PAGE_SIZE, []);
    expect(rows[0]?.dataset.id).toBe('note-0');
    expect(rows[0]?.textContent).toContain('Record 0 — Øresund čř łż');
    expect(rows[0]?.textContent).toContain('Open');
    expect(rows[0]?.textContent).toContain('housing');
    expect(rows[0]?.textContent).toContain('20 Nov 2026');
    expect(screen.getByTestId('record-total').textContent).toBe('5 records');
  });

  it('keeps only a window of rows in the DOM for 100,000 records and pages as it scrolls', async () => {
    const api = fakeApi({ list: pagedList(100_000) });
    const { container } = render(RecordList, { props: { kind: 'note', onopen: vi.fn() }, ...withApi(api) });
    await screen.findAllByTestId('record-row');
    const rendered = container.querySelectorAll('[role="option"]').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect(api.records.list).toHaveBeenCalledTimes(1);

    const viewport = screen.getByRole('listbox');
    viewport.scrollTop = 50_000 * ROW_HEIGHT;
    await fireEvent.scroll(viewport);
    await waitFor(() =>
      expect(container.querySelector('[data-id="note-50000"]')).not.toBeNull(),
    );
    expect(api.records.list).toHaveBeenCalledWith('note', 50_000, PAGE_SIZE, []);
    expect(container.querySelectorAll('[role="option"]').length).toBeLessThan(60);
  });

  it('moves the selection with the arrow keys and opens with Enter', async () => {
    const onopen = vi.fn();
    const api = fakeApi({ list: pagedList(10) });
    render(RecordList, { props: { kind: 'note', onopen }, ...withApi(api) });
    await screen.findAllByTestId('record-row');
    const listbox = screen.getByRole('listbox');
    await fireEvent.keyDown(listbox, { key: 'ArrowDown' });
    await fireEvent.keyDown(listbox, { key: 'ArrowDown' });
    await fireEvent.keyDown(listbox, { key: 'ArrowUp' });
    await fireEvent.keyDown(listbox, { key: 'ArrowDown' });
    expect(screen.getAllByRole('option', { selected: true })[0]?.dataset.id).toBe('note-1');
    await fireEvent.keyDown(listbox, { key: 'Enter' });
    expect(onopen).toHaveBeenCalledWith(expect.objectContaining({ id: 'note-1' }));

    await fireEvent.click(screen.getByText('Record 3 — Øresund čř łż'));
    expect(onopen).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'note-3' }));
  });

  it('selects the open record, then lets the keyboard move on from it', async () => {
    const onopen = vi.fn();
    const api = fakeApi({ list: pagedList(10) });
    render(RecordList, { props: { kind: 'note', selectedId: 'note-4', onopen }, ...withApi(api) });
    await screen.findAllByTestId('record-row');
    await waitFor(() =>
      expect(screen.getAllByRole('option', { selected: true })[0]?.dataset.id).toBe('note-4'),
    );
    const listbox = screen.getByRole('listbox');
    await fireEvent.keyDown(listbox, { key: 'ArrowDown' });
    await fireEvent.keyDown(listbox, { key: 'ArrowDown' });
    expect(screen.getAllByRole('option', { selected: true })[0]?.dataset.id).toBe('note-6');
    await fireEvent.keyDown(listbox, { key: 'Enter' });
    expect(onopen).toHaveBeenCalledWith(expect.objectContaining({ id: 'note-6' }));
  });

  it('shows an empty state', async () => {
    const api = fakeApi({ list: pagedList(0) });
    render(RecordList, { props: { kind: 'method', onopen: vi.fn() }, ...withApi(api) });
    expect((await screen.findByText('Nothing here yet.')).tagName).toBe('P');
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('shows errors readably', async () => {
    const api = fakeApi({
      list: async () => {
        throw { code: 'store', message: 'Database is locked' };
      },
    });
    render(RecordList, { props: { kind: 'contact', onopen: vi.fn() }, ...withApi(api) });
    expect((await screen.findByRole('alert')).textContent).toContain('Database is locked (store)');
  });
});

describe('RecordList with filters', () => {
  it('asks only for the records the filters allow, and says so when none match', async () => {
    const api = fakeApi({ list: async () => ({ records: [], total: 0, offset: 0 }) });
    render(RecordList, {
      props: { kind: 'contact', filters: [{ field: 'country', value: 'FI' }], onopen: () => {} },
      ...withApi(api),
    });
    expect((await screen.findByTestId('record-list-empty')).textContent).toContain('Nothing matches these filters');
    expect(api.records.list).toHaveBeenCalledWith('contact', 0, PAGE_SIZE, [{ field: 'country', value: 'FI' }]);
  });
});
