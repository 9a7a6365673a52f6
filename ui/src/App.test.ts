import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import { fakeApi, pagedList, READY_STATUS } from './test/fakeApi';
import type { WorkspaceStatus } from './lib/bindings/WorkspaceStatus';

const FRESH: WorkspaceStatus = { path: '/tmp/ws', ready: false, owner: null, counts: [] };

beforeEach(() => {
  window.location.hash = '';
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
});
