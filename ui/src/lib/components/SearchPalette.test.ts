import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../App.svelte';
import type { SearchRequest } from '../bindings/SearchRequest';
import type { SearchResults } from '../bindings/SearchResults';
import { fakeApi, hit, results, withApi } from '../../test/fakeApi';
import SearchPalette from './SearchPalette.svelte';

beforeEach(() => {
  window.location.hash = '';
});

function setup(search: (request: SearchRequest) => Promise<SearchResults>) {
  const api = fakeApi({ search });
  const onclose = vi.fn();
  render(SearchPalette, { props: { onclose }, ...withApi(api) });
  const input = screen.getByTestId('search-input') as HTMLInputElement;
  return { api, onclose, input };
}

async function type(input: HTMLInputElement, value: string): Promise<void> {
  await fireEvent.input(input, { target: { value } });
}

/** A promise resolved from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('SearchPalette', () => {
  it('shows results as you type, with total, kind badge, title and snippet', async () => {
    const { api, input } = setup(async () =>
      results([hit(0), hit(1, 'session', 'Study visit Århus')], { total: 42 }),
    );
    expect(document.activeElement).toBe(input);
    expect(input.getAttribute('role')).toBe('combobox');
    await type(input, 'arh');
    const rows = await screen.findAllByTestId('search-result');
    expect(rows).toHaveLength(2);
    expect(api.search.query).toHaveBeenCalledTimes(1);
    expect(api.search.query).toHaveBeenCalledWith({ query: 'arh', as_you_type: true, kind: null, limit: null });
    expect(rows[0]?.dataset.id).toBe('note-0');
    expect(rows[0]?.getAttribute('role')).toBe('option');
    expect(rows[1]?.textContent).toContain('Session');
    expect(rows[1]?.textContent).toContain('Study visit Århus');
    expect(screen.getByTestId('search-total').textContent).toContain('42 results');
    expect(screen.getByTestId('search-total').textContent).toContain('showing 2');
    expect(screen.queryByTestId('search-fuzzy')).toBeNull();
    expect(input.getAttribute('aria-expanded')).toBe('true');
    expect(input.getAttribute('aria-activedescendant')).toBe(rows[0]?.id);
    expect(screen.getByRole('listbox').id).toBe(input.getAttribute('aria-controls'));

    // A trailing space: the last word is complete, no longer a prefix.
    await type(input, 'arhus ');
    await waitFor(() =>
      expect(api.search.query).toHaveBeenLastCalledWith({ query: 'arhus ', as_you_type: false, kind: null, limit: null }),
    );
  });

  it('debounces keystrokes into one request', async () => {
    const { api, input } = setup(async () => results([hit(0)]));
    await type(input, 'k');
    await type(input, 'ko');
    await type(input, 'kom');
    await screen.findAllByTestId('search-result');
    expect(api.search.query).toHaveBeenCalledTimes(1);
    expect(api.search.query).toHaveBeenCalledWith(expect.objectContaining({ query: 'kom' }));
  });

  it('ignores stale responses: only the latest request is shown', async () => {
    const pending = new Map<string, ReturnType<typeof deferred<SearchResults>>>();
    const { api, input } = setup((request) => {
      const d = deferred<SearchResults>();
      pending.set(request.query, d);
      return d.promise;
    });
    await type(input, 'ar');
    await waitFor(() => expect(pending.has('ar')).toBe(true));
    await type(input, 'arhus');
    await waitFor(() => expect(pending.has('arhus')).toBe(true));
    expect(api.search.query).toHaveBeenCalledTimes(2);

    pending.get('arhus')?.resolve(results([hit(7, 'note', 'Latest answer')]));
    await waitFor(() => expect(screen.getByTestId('search-result').dataset.id).toBe('note-7'));
    // The older request answers last: it must not replace the newer results.
    pending.get('ar')?.resolve(results([hit(1, 'note', 'Stale answer'), hit(2)]));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getAllByTestId('search-result')).toHaveLength(1);
    expect(screen.queryByText('Stale answer')).toBeNull();
    expect(screen.getByText('Latest answer')).toBeTruthy();
  });

  it('says when the results are close matches', async () => {
    const { input } = setup(async () => results([hit(0)], { fuzzy: true }));
    await type(input, 'kommnue');
    const note = await screen.findByTestId('search-fuzzy');
    expect(note.textContent).toContain('close matches for “kommnue”');
  });

  it('says when nothing is found', async () => {
    const { input } = setup(async () => results([]));
    await type(input, 'zzz');
    expect(await screen.findByText('Nothing found for “zzz”.')).toBeTruthy();
    expect(screen.getByTestId('search-total').textContent).toContain('0 results');
  });

  it('moves with the arrow keys and opens the active result with Enter', async () => {
    const { input, onclose } = setup(async () => results([hit(0), hit(1), hit(2, 'session')]));
    await type(input, 'arh');
    await screen.findAllByTestId('search-result');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    // Past either end the active result wraps around.
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(screen.getByRole('option', { selected: true }).dataset.id).toBe('note-0');
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    const selected = screen.getByRole('option', { selected: true });
    expect(selected.dataset.id).toBe('session-2');
    expect(input.getAttribute('aria-activedescendant')).toBe(selected.id);
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(window.location.hash).toBe('#/kind/session/session-2');
    expect(onclose).toHaveBeenCalled();
  });

  it('opens a result on click', async () => {
    const { input, onclose } = setup(async () => results([hit(0), hit(1)]));
    await type(input, 'arh');
    const rows = await screen.findAllByTestId('search-result');
    await fireEvent.click(within(rows[1] as HTMLElement).getByText('Record 1 — Århus'));
    expect(window.location.hash).toBe('#/kind/note/note-1');
    expect(onclose).toHaveBeenCalled();
  });

  it('renders the snippet highlights as bold and a title as text', async () => {
    const evil = { ...hit(0), title: '<script>alert(1)</script> Plan', snippet: 'before <b>Århus</b> &lt;i&gt;after' };
    const { input } = setup(async () => results([evil]));
    await type(input, 'arhus');
    const row = await screen.findByTestId('search-result');
    const bold = row.querySelector('.snippet b');
    expect(bold?.textContent).toBe('Århus');
    expect(row.querySelector('.snippet i')).toBeNull();
    expect(row.querySelector('.snippet')?.textContent).toBe('before Århus <i>after');
    expect(row.querySelector('script')).toBeNull();
    expect(row.querySelector('.title')?.textContent).toBe('<script>alert(1)</script> Plan');
  });

  it('refines with facet chips: kinds through the request, tags and partners in the query', async () => {
    const { api, input } = setup(async () =>
      results([hit(0)], {
        total: 30,
        facets: {
          kind: [
            { value: 'note', count: 20 },
            { value: 'session', count: 10 },
          ],
          tag: [{ value: 'youth', count: 4 }],
          org: [
            { value: 'THL — Finnish Institute for Health and Welfare', count: 3 },
            { value: 'Aarhus Kommune', count: 2 },
          ],
        },
      }),
    );
    await type(input, 'kommu');
    await screen.findByTestId('search-result');
    const facets = screen.getByTestId('search-facets');
    expect(facets.textContent).toContain('Notes');
    expect(facets.textContent).toContain('20');

    await fireEvent.click(within(facets).getByRole('button', { name: /youth/ }));
    expect(input.value).toBe('tag:youth kommu');
    await waitFor(() =>
      expect(api.search.query).toHaveBeenLastCalledWith({ query: 'tag:youth kommu', as_you_type: true, kind: null, limit: null }),
    );
    expect(document.activeElement).toBe(input);

    await fireEvent.click(within(screen.getByTestId('search-facets')).getByRole('button', { name: /Sessions/ }));
    await waitFor(() => expect(api.search.query).toHaveBeenLastCalledWith(expect.objectContaining({ kind: 'session' })));
    const sessions = within(screen.getByTestId('search-facets')).getByRole('button', { name: /Sessions/ });
    expect(sessions.getAttribute('aria-pressed')).toBe('true');

    // Partners are named by their short name, which `org:` accepts.
    await waitFor(() =>
      expect(within(screen.getByTestId('search-facets')).queryByRole('button', { name: /THL/ })).not.toBeNull(),
    );
    await fireEvent.click(within(screen.getByTestId('search-facets')).getByRole('button', { name: /THL/ }));
    expect(input.value).toBe('tag:youth org:THL kommu');
    // An organisation with a space in its name cannot be one `org:` token: shown, not clickable.
    const aarhus = within(screen.getByTestId('search-facets')).getByText('Aarhus Kommune');
    expect(aarhus.closest('button')).toBeNull();

    // Clicking a chip in the query again removes its filter.
    await fireEvent.click(within(screen.getByTestId('search-facets')).getByRole('button', { name: /youth/ }));
    expect(input.value).toBe('org:THL kommu');
  });

  it('shows that the index is still being built and retries when typing again', async () => {
    let building = true;
    const { api, input } = setup(async () => {
      if (building) throw { code: 'index_building', message: 'The search index is still being built; try again in a moment.' };
      return results([hit(3)]);
    });
    await type(input, 'arh');
    expect((await screen.findByTestId('search-error')).textContent).toContain('still being built');
    expect(screen.queryByTestId('search-result')).toBeNull();
    building = false;
    await type(input, 'arhu');
    expect((await screen.findByTestId('search-result')).dataset.id).toBe('note-3');
    expect(screen.queryByTestId('search-error')).toBeNull();
    expect(api.search.query).toHaveBeenCalledTimes(2);
  });

  it('shows other errors readably', async () => {
    const { input } = setup(async () => {
      throw { code: 'store', message: 'Database is locked' };
    });
    await type(input, 'x');
    expect((await screen.findByTestId('search-error')).textContent).toContain('Database is locked (store)');
  });

  it('does not search for an empty query', async () => {
    const { api, input } = setup(async () => results([hit(0)]));
    await type(input, '   ');
    await new Promise((r) => setTimeout(r, 200));
    expect(api.search.query).not.toHaveBeenCalled();
    expect(screen.queryByTestId('search-result')).toBeNull();
  });
});

describe('search in the app', () => {
  it('Ctrl+K opens the palette focused on its input, Escape closes it; Cmd+K and the sidebar too', async () => {
    const api = fakeApi({ search: async () => results([hit(0)]) });
    render(App, { props: { api } });
    await screen.findByTestId('home');
    expect(screen.queryByTestId('search-input')).toBeNull();

    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const input = await screen.findByTestId('search-input');
    expect(document.activeElement).toBe(input);
    expect(screen.getByRole('dialog', { name: 'Search' })).toBeTruthy();

    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByTestId('search-input')).toBeNull();

    await fireEvent.keyDown(window, { key: 'k', metaKey: true });
    expect(document.activeElement).toBe(await screen.findByTestId('search-input'));
    await fireEvent.keyDown(screen.getByTestId('search-input'), { key: 'Escape' });

    await fireEvent.click(screen.getByTestId('search-open'));
    const again = await screen.findByTestId('search-input');
    expect(document.activeElement).toBe(again);
  });

  it('Enter on a result shows that record', async () => {
    const api = fakeApi({
      search: async () => results([hit(5)]),
      get: async (id) => ({
        id,
        kind: 'note',
        title: 'Record 5 — Århus',
        rev: '1-abc',
        created_at: '2026-11-20T10:15:00Z',
        updated_at: '2026-11-20T10:15:00Z',
        record: { id, kind: 'note', title: 'Record 5 — Århus' },
        links: [],
        backlinks: [],
        schedule: null,
        revision_count: 1,
        body_html: null,
      }),
    });
    render(App, { props: { api } });
    await screen.findByTestId('home');
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const input = (await screen.findByTestId('search-input')) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'arhus' } });
    await screen.findByTestId('search-result');
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(window.location.hash).toBe('#/kind/note/note-5');
    expect((await screen.findByTestId('detail-title')).textContent).toContain('Record 5 — Århus');
    expect(screen.queryByTestId('search-input')).toBeNull();
  });
});
