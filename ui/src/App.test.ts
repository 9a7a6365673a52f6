import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { CONFLICTS, fakeApi, pagedList, PREVIEW, READY_STATUS } from './test/fakeApi';
import type { ConflictSummary } from './lib/bindings/ConflictSummary';
import type { WorkspaceStatus } from './lib/bindings/WorkspaceStatus';

const FRESH: WorkspaceStatus = { path: '/tmp/ws', ready: false, owner: null, counts: [] };

beforeEach(() => {
  window.location.hash = '';
  localStorage.clear();
});

describe('App', () => {
  it('asks for setup on first start, then goes Home', async () => {
    let ready = false;
    const api = fakeApi({
      status: async () => (ready ? READY_STATUS : FRESH),
      setup: async () => {
        ready = true;
        return READY_STATUS;
      },
    });
    window.location.hash = '#/kind/note';
    render(App, { props: { api } });
    await screen.findByTestId('setup-form');
    await screen.findByRole('option', { name: /Shipyard/ });
    await fireEvent.input(screen.getByLabelText('Your name'), { target: { value: 'Łucja' } });
    await fireEvent.change(screen.getByLabelText('Your organisation'), { target: { value: 'p-pl' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));
    expect((await screen.findByTestId('greeting')).textContent).toContain('Hello, Åsa Łukasik');
    expect(window.location.hash).toBe('#/');
    expect(api.workspace.setup).toHaveBeenCalledWith({
      member: 'Łucja',
      organisation: 'Shipyard',
      demo_records: null,
    });
    expect(screen.getByTestId('card-note').textContent).toContain('12');
    expect(screen.getByTestId('card-note').getAttribute('href')).toBe('#/kind/note');
  });

  it('shows the list of a kind and opens a record from the hash', async () => {
    const api = fakeApi({ status: async () => READY_STATUS, list: pagedList(3) });
    render(App, { props: { api } });
    await screen.findByTestId('home');
    window.location.hash = '#/kind/note';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await waitFor(() => expect(screen.getAllByTestId('record-row')).toHaveLength(3));
    expect(screen.getByTestId('nav-note').getAttribute('aria-current')).toBe('page');
  });

  it('shows a failing status call as a readable error with retry', async () => {
    let fail = true;
    const api = fakeApi({
      status: async () => {
        if (fail) throw { code: 'workspace_locked', message: 'Another app holds the workspace' };
        return READY_STATUS;
      },
    });
    render(App, { props: { api } });
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Another app holds the workspace (workspace_locked)',
    );
    fail = false;
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByTestId('home');
  });

  it('shows unresolved conflicts in the sidebar and on Home, linking to each', async () => {
    const many: ConflictSummary[] = Array.from({ length: 7 }, (_, i) => ({
      id: `note-${i}`,
      kind: 'note',
      title: `Conflicted note ${i} — Łódź`,
      winner: '2-a',
      losers: ['2-b'],
    }));
    const api = fakeApi({ exchange: { conflicts: async () => many } });
    render(App, { props: { api } });
    const panel = await screen.findByTestId('home-conflicts');
    expect(screen.getByTestId('home-conflicts-count').textContent).toBe('7');
    const links = screen.getAllByTestId('home-conflict');
    expect(links).toHaveLength(5);
    expect(links[0]?.textContent).toContain('Conflicted note 0 — Łódź');
    expect(links[0]?.getAttribute('href')).toBe('#/conflicts/note-0');
    expect(panel.textContent).toContain('7 records were edited both here and by a partner');
    expect(screen.getByTestId('nav-exchange-conflicts').textContent).toBe('7');
    expect(screen.getByTestId('nav-exchange').getAttribute('href')).toBe('#/exchange');
  });

  it('has no conflicts panel or badge when there are none', async () => {
    render(App, { props: { api: fakeApi() } });
    await screen.findByTestId('home');
    expect(screen.queryByTestId('home-conflicts')).toBeNull();
    expect(screen.queryByTestId('nav-exchange-conflicts')).toBeNull();
  });

  it('opens Exchange from the sidebar, switches tabs, and refreshes counts and conflicts after an import', async () => {
    let imported = false;
    const api = fakeApi({
      status: async () =>
        imported ? { ...READY_STATUS, counts: [{ kind: 'note', count: 17 }] } : READY_STATUS,
      exchange: {
        conflicts: async () => (imported ? CONFLICTS.slice(0, 1) : []),
        importBundle: async (path) => {
          imported = true;
          return { preview: { ...PREVIEW, path }, key_recorded: true };
        },
      },
    });
    render(App, { props: { api } });
    await screen.findByTestId('home');
    window.location.hash = '#/exchange';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await screen.findByTestId('exchange');
    expect(screen.getByTestId('nav-exchange').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('exchange-tab-export').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('export-panel').closest('[hidden]')).toBeNull();
    expect(screen.getByTestId('import-panel').closest('[hidden]')).not.toBeNull();

    expect(screen.getByTestId('exchange-tab-import').getAttribute('href')).toBe('#/exchange/import');
    window.location.hash = '#/exchange/import';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await waitFor(() => expect(screen.getByTestId('import-panel').closest('[hidden]')).toBeNull());
    expect(screen.getByTestId('export-panel').closest('[hidden]')).not.toBeNull();

    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/tmp/x.insisst' } });
    await fireEvent.click(screen.getByTestId('import-preview-button'));
    await fireEvent.click(await screen.findByTestId('import-submit'));
    await screen.findByTestId('import-result');
    await waitFor(() => expect(screen.getByTestId('nav-exchange-conflicts').textContent).toBe('1'));
    await waitFor(() => expect(screen.getByTestId('nav-note').textContent).toContain('17'));
    expect(api.exchange.keys).toHaveBeenCalledTimes(2);
  });

  it('opens a conflict from its route', async () => {
    const api = fakeApi({
      exchange: {
        conflicts: async () => CONFLICTS,
        conflict: async (id) => ({ id, kind: 'note', title: 'Study visit Århus', versions: [] }),
      },
    });
    window.location.hash = '#/conflicts/note-7';
    render(App, { props: { api } });
    const detail = await screen.findByTestId('conflict-detail');
    expect(detail.getAttribute('data-id')).toBe('note-7');
    expect(screen.getByTestId('exchange-tab-conflicts').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('exchange-tab-conflicts').textContent).toContain('2');
  });
});
