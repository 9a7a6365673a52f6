import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { CONFLICTS, createdRecord, fakeApi, pagedList, PREVIEW, READY_STATUS } from './test/fakeApi';
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

  it('creates a note with Ctrl+N and opens it in its editor; Escape closes the dialog without creating', async () => {
    const api = fakeApi({
      get: async (id) => createdRecord('note', { title: 'Notes from Gdańsk', id }),
    });
    render(App, { props: { api } });
    await screen.findByTestId('home');
    await fireEvent.keyDown(window, { key: 'n', ctrlKey: true });
    const title = await screen.findByTestId('new-record-title');
    expect(document.activeElement).toBe(title);
    await fireEvent.keyDown(title, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('new-record')).toBeNull());
    expect(api.records.create).not.toHaveBeenCalled();

    await fireEvent.keyDown(window, { key: 'n', ctrlKey: true });
    await fireEvent.click(await screen.findByTestId('new-record-submit'));
    expect((await screen.findByRole('alert')).textContent).toContain('Give it a title.');
    await fireEvent.input(screen.getByTestId('new-record-title'), { target: { value: 'Notes from Gdańsk' } });
    await fireEvent.click(screen.getByTestId('new-record-submit'));
    await waitFor(() => expect(window.location.hash).toBe('#/kind/note/note-new'));
    expect(api.records.create).toHaveBeenCalledWith('note', { title: 'Notes from Gdańsk' });
    expect(screen.queryByTestId('new-record')).toBeNull();
    const editor = await screen.findByTestId('note-editor');
    expect((within(editor).getByTestId('note-title') as HTMLInputElement).value).toBe('Notes from Gdańsk');
    expect(within(editor).getByTestId('edit-body').getAttribute('contenteditable')).toBe('true');
  });

  it('creates a planned session with Ctrl+Shift+N, with its start in this time zone', async () => {
    const api = fakeApi();
    render(App, { props: { api } });
    await screen.findByTestId('home');
    await fireEvent.keyDown(window, { key: 'N', ctrlKey: true, shiftKey: true });
    const dialog = await screen.findByTestId('new-record');
    expect(dialog.getAttribute('data-kind')).toBe('session');
    await fireEvent.input(screen.getByTestId('new-record-title'), { target: { value: 'Peer exchange Brno' } });
    await fireEvent.input(screen.getByTestId('new-record-starts'), { target: { value: '2026-12-03T09:00' } });
    await fireEvent.click(screen.getByTestId('new-record-submit'));
    await waitFor(() => expect(window.location.hash).toBe('#/kind/session/session-new'));
    expect(api.records.create).toHaveBeenCalledWith('session', {
      title: 'Peer exchange Brno',
      status: 'planned',
      starts_at: '2026-12-03T09:00',
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
  });

  it('shows why a record could not be created, keeping the dialog open', async () => {
    const api = fakeApi({
      create: async () => {
        throw { code: 'invalid', message: 'note: title is too long' };
      },
    });
    render(App, { props: { api } });
    await screen.findByTestId('home');
    await fireEvent.click(screen.getByTestId('new-note'));
    await fireEvent.input(await screen.findByTestId('new-record-title'), { target: { value: 'x' } });
    await fireEvent.click(screen.getByTestId('new-record-submit'));
    expect((await screen.findByRole('alert')).textContent).toContain('note: title is too long (invalid)');
    expect(screen.getByTestId('new-record')).toBeTruthy();
  });

  it('goes places with g then a key, shows the shortcuts on ?, and ignores keys typed in fields', async () => {
    render(App, { props: { api: fakeApi() } });
    await screen.findByTestId('home');
    await fireEvent.keyDown(window, { key: 'g' });
    await fireEvent.keyDown(window, { key: 's' });
    await waitFor(() => expect(window.location.hash).toBe('#/kind/session'));
    expect(screen.getByTestId('nav-session').getAttribute('aria-current')).toBe('page');
    await fireEvent.keyDown(window, { key: 'g' });
    await fireEvent.keyDown(window, { key: ',' });
    await screen.findByTestId('settings');
    expect(screen.getByTestId('nav-settings').getAttribute('aria-current')).toBe('page');

    // Typing g then h into a field is typing, not navigating.
    const field = screen.getByTestId('settings-backup-path');
    await fireEvent.keyDown(field, { key: 'g' });
    await fireEvent.keyDown(field, { key: 'h' });
    expect(window.location.hash).toBe('#/settings');

    await fireEvent.keyDown(window, { key: '?' });
    const help = await screen.findByTestId('shortcuts-help');
    expect(help.textContent).toContain('New session');
    expect(screen.getAllByTestId('shortcut-go').map((row) => row.getAttribute('data-key'))).toEqual([
      'h', 'a', 's', 'n', 'c', 'o', 'm', 'd', 'e', ',', 'r', 'v', 'f',
    ]);
    await fireEvent.keyDown(help, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('shortcuts-help')).toBeNull());
  });

  it('keeps reviews, evaluations and attachments reachable under More', async () => {
    window.location.hash = '#/kind/evaluation';
    render(App, { props: { api: fakeApi() } });
    const link = await screen.findByTestId('nav-evaluation');
    expect(link.getAttribute('aria-current')).toBe('page');
    expect(link.closest('details')?.open).toBe(true);
    expect(screen.getByTestId('nav-review').getAttribute('href')).toBe('#/kind/review');
    expect(screen.getByTestId('nav-attachment').getAttribute('href')).toBe('#/kind/attachment');
    const main = ['home', 'question', 'session', 'note', 'contact', 'org', 'method', 'monitoring', 'exchange', 'settings'];
    const order = [...document.querySelectorAll('nav > ul > li > a')].map((a) => a.getAttribute('data-testid'));
    expect(order).toEqual(main.map((id) => `nav-${id}`));
  });

  it('reopens the last view of the same workspace, not of another', async () => {
    const first = render(App, { props: { api: fakeApi() } });
    await screen.findByTestId('home');
    window.location.hash = '#/kind/note/note-3';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await waitFor(() => expect(screen.getByTestId('nav-note').getAttribute('aria-current')).toBe('page'));
    first.unmount();

    window.location.hash = '';
    const again = render(App, { props: { api: fakeApi({ list: pagedList(5) }) } });
    await waitFor(() => expect(window.location.hash).toBe('#/kind/note/note-3'));
    await waitFor(() => expect(screen.getAllByTestId('record-row')).toHaveLength(5));
    again.unmount();

    window.location.hash = '';
    render(App, { props: { api: fakeApi({ status: async () => ({ ...READY_STATUS, path: '/elsewhere' }) }) } });
    await screen.findByTestId('home');
    expect(window.location.hash).toBe('');
  });
});
