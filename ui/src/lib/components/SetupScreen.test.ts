import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, READY_STATUS, withApi } from '../../test/fakeApi';
import SetupScreen from './SetupScreen.svelte';

describe('SetupScreen', () => {
  it('submits member, partner short name and 300 demo records', async () => {
    let finish: (value: typeof READY_STATUS) => void = () => {};
    const api = fakeApi({ setup: () => new Promise((resolve) => (finish = resolve)) });
    const ondone = vi.fn();
    render(SetupScreen, { props: { ondone }, ...withApi(api) });

    const select = (await screen.findByLabelText('Your organisation')) as HTMLSelectElement;
    await screen.findByRole('option', { name: /THL — Finnish Institute/ });
    await fireEvent.input(screen.getByLabelText('Your name'), { target: { value: '  Åsa Łukasik ' } });
    await fireEvent.change(select, { target: { value: 'p-fi' } });
    await fireEvent.click(screen.getByLabelText(/Fill with demo data/));
    await fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));

    expect(api.workspace.setup).toHaveBeenCalledWith({
      member: 'Åsa Łukasik',
      organisation: 'THL',
      demo_records: 300,
    });
    expect(await screen.findByTestId('setup-progress')).toHaveProperty(
      'textContent',
      expect.stringContaining('Creating your workspace and 300 demo records'),
    );
    finish(READY_STATUS);
    await waitFor(() => expect(ondone).toHaveBeenCalledWith(READY_STATUS));
  });

  it('sends a free-text organisation and null demo records', async () => {
    const api = fakeApi();
    render(SetupScreen, { props: { ondone: vi.fn() }, ...withApi(api) });
    await screen.findByRole('option', { name: /Genio/ });
    await fireEvent.input(screen.getByLabelText('Your name'), { target: { value: 'Jiří Dvořák' } });
    await fireEvent.change(screen.getByLabelText('Your organisation'), { target: { value: '__other__' } });
    await fireEvent.input(await screen.findByLabelText('Organisation name'), {
      target: { value: 'Fundacja Żółć' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));
    expect(api.workspace.setup).toHaveBeenCalledWith({
      member: 'Jiří Dvořák',
      organisation: 'Fundacja Żółć',
      demo_records: null,
    });
  });

  it('shows an AppError as a readable message', async () => {
    const api = fakeApi({
      setup: async () => {
        throw { code: 'io', message: 'The disk is full' };
      },
    });
    render(SetupScreen, { props: { ondone: vi.fn() }, ...withApi(api) });
    await screen.findByRole('option', { name: /Genio/ });
    await fireEvent.input(screen.getByLabelText('Your name'), { target: { value: 'M' } });
    await fireEvent.change(screen.getByLabelText('Your organisation'), { target: { value: 'p-ie2' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The disk is full (io)');
    expect(alert.textContent).not.toContain('[object Object]');
  });
});
