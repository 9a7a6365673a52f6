import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeApi, READY_STATUS, withApi } from '../../test/fakeApi';
import { theme } from '../theme.svelte';
import SettingsScreen from './SettingsScreen.svelte';

beforeEach(() => {
  localStorage.clear();
  theme.load();
});

describe('SettingsScreen', () => {
  it('shows identity, key fingerprint and workspace location', () => {
    render(SettingsScreen, { props: { status: READY_STATUS }, ...withApi(fakeApi()) });
    expect(screen.getByTestId('settings-member').textContent).toBe('Åsa Łukasik');
    expect(screen.getByTestId('settings-organisation').textContent).toBe('THL');
    expect(screen.getByTestId('settings-node-id').textContent).toBe('n1');
    expect(screen.getByTestId('settings-fingerprint').textContent).toBe('3f2a:9c41:77be:0d12:aa90:5e63:c4f8:1b07');
    expect(screen.getByTestId('settings-path').textContent).toBe('/home/åsa/Insisst');
  });

  it('backs up to a chosen path and says where and how big', async () => {
    const api = fakeApi({ settings: { pickFile: async () => '/media/usb/insisst.zip' } });
    render(SettingsScreen, { props: { status: READY_STATUS }, ...withApi(api) });
    await fireEvent.click(screen.getByTestId('settings-backup-submit'));
    expect((await screen.findByRole('alert')).textContent).toContain('Choose where to save the backup.');
    expect(api.settings.backup).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('settings-backup-path-choose'));
    expect(api.settings.pickFile).toHaveBeenCalledWith(true, expect.stringMatching(/^insisst-backup-\d{4}-\d{2}-\d{2}\.zip$/));
    await screen.findByDisplayValue('/media/usb/insisst.zip');
    await fireEvent.click(screen.getByTestId('settings-backup-submit'));
    const done = await screen.findByTestId('settings-backup-done');
    expect(api.settings.backup).toHaveBeenCalledWith('/media/usb/insisst.zip');
    expect(done.textContent).toBe('Backup written: /media/usb/insisst.zip (2.4 MB, 3 attachment files).');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a failed backup as a readable error', async () => {
    const api = fakeApi({
      settings: {
        backup: async () => {
          throw { code: 'io', message: 'cannot write /readonly/b.zip: permission denied' };
        },
      },
    });
    render(SettingsScreen, { props: { status: READY_STATUS }, ...withApi(api) });
    await fireEvent.input(screen.getByTestId('settings-backup-path'), { target: { value: '/readonly/b.zip' } });
    await fireEvent.click(screen.getByTestId('settings-backup-submit'));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'cannot write /readonly/b.zip: permission denied (io)',
    );
    expect(screen.queryByTestId('settings-backup-done')).toBeNull();
  });

  it('restores into an empty folder, explaining it never replaces the open workspace', async () => {
    const api = fakeApi({ settings: { pickFolder: async () => '/home/åsa/restored' } });
    render(SettingsScreen, { props: { status: READY_STATUS }, ...withApi(api) });
    expect(screen.getByTestId('settings-restore-hint').textContent).toContain('never overwrites the workspace you have open');
    await fireEvent.input(screen.getByTestId('settings-restore-file'), { target: { value: '/media/usb/insisst.zip' } });
    await fireEvent.click(screen.getByTestId('settings-restore-submit'));
    expect((await screen.findByRole('alert')).textContent).toContain('Choose the backup file and an empty folder.');
    await fireEvent.click(screen.getByTestId('settings-restore-folder-choose'));
    await screen.findByDisplayValue('/home/åsa/restored');
    await fireEvent.click(screen.getByTestId('settings-restore-submit'));
    const done = await screen.findByTestId('settings-restore-done');
    expect(api.settings.restore).toHaveBeenCalledWith('/media/usb/insisst.zip', '/home/åsa/restored');
    expect(done.textContent).toContain('INSISST_WORKSPACE=/home/åsa/restored');
  });

  it('switches the theme and offers the languages there are', async () => {
    render(SettingsScreen, { props: { status: READY_STATUS }, ...withApi(fakeApi()) });
    const system = screen.getByTestId('settings-theme-system') as HTMLInputElement;
    expect(system.checked).toBe(true);
    await fireEvent.click(screen.getByTestId('settings-theme-dark'));
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(theme.current).toBe('dark');
    await fireEvent.click(system);
    expect(document.documentElement.dataset.theme).toBeUndefined();
    const language = screen.getByTestId('settings-language') as HTMLSelectElement;
    expect([...language.options].map((o) => o.textContent)).toEqual(['English']);
    expect(language.value).toBe('en');
  });
});
