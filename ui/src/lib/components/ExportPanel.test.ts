import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ExportSummary } from '../bindings/ExportSummary';
import { EXPORT_SUMMARY, fakeApi, pagedList, progressEvent, withApi } from '../../test/fakeApi';
import { todayIso } from '../format';
import ExportPanel from './ExportPanel.svelte';

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ExportPanel', () => {
  it('exports by tag for a partner, shows progress, then the summary with the left-out warning', async () => {
    const job = deferred<ExportSummary>();
    const api = fakeApi({
      exchange: {
        pickFile: async () => '/home/åsa/insisst-2026-11-27.insisst',
        exportBundle: () => job.promise,
      },
    });
    render(ExportPanel, withApi(api));

    const submit = screen.getByTestId('export-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    expect(screen.getByTestId('export-hint').textContent).toBe('Choose where to save the bundle.');

    await fireEvent.click(screen.getByTestId('export-path-choose'));
    expect(api.exchange.pickFile).toHaveBeenCalledWith(true, `insisst-${todayIso()}.insisst`);
    await waitFor(() =>
      expect((screen.getByTestId('export-path') as HTMLInputElement).value).toBe(
        '/home/åsa/insisst-2026-11-27.insisst',
      ),
    );

    await fireEvent.change(screen.getByTestId('export-scope'), { target: { value: 'tag' } });
    expect(submit.disabled).toBe(true);
    expect(screen.getByTestId('export-hint').textContent).toBe('Type the tag to export.');
    await fireEvent.input(await screen.findByTestId('export-tag'), { target: { value: 'youth' } });
    await screen.findByRole('option', { name: /Sociale InnovatieFabriek/ });
    await fireEvent.change(screen.getByTestId('export-for-org'), { target: { value: 'p-be' } });
    expect(submit.disabled).toBe(false);
    await fireEvent.click(submit);

    expect(api.exchange.exportBundle).toHaveBeenCalledWith({
      path: '/home/åsa/insisst-2026-11-27.insisst',
      scope: {
        tag: 'youth',
        session: null,
        question: null,
        from: null,
        to: null,
        changed_since_last_to: null,
        for_org: 'p-be',
      },
    });
    const progress = await screen.findByTestId('export-progress');
    expect(submit.disabled).toBe(true);
    api.emitProgress(progressEvent('export', 30, 120));
    await waitFor(() => expect(screen.getByTestId('export-progress-count').textContent).toBe('30 of 120'));
    expect(within(progress).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    expect(progress.textContent).toContain('Writing the bundle');

    job.resolve(EXPORT_SUMMARY);
    const summary = await screen.findByTestId('export-summary');
    expect(screen.queryByTestId('export-progress')).toBeNull();
    expect(screen.getByTestId('export-left-out').textContent).toContain(
      '3 contacts were left out: they have not consented to sharing with partners',
    );
    expect(screen.getByTestId('export-records').textContent).toBe('15');
    expect(screen.getByTestId('export-attachments').textContent).toBe('2');
    expect(screen.getByTestId('export-size').textContent).toBe('1.5 MB');
    expect(screen.getByTestId('export-file').textContent).toBe('/home/åsa/insisst-2026-11-27.insisst');
    const counts = within(summary).getByTestId('export-counts');
    expect(counts.querySelector('[data-kind="note"]')?.textContent).toMatch(/12\s*Notes/);
    expect(counts.querySelector('[data-kind="session"]')?.textContent).toMatch(/3\s*Sessions/);
  });

  it('says nothing about contacts when none were left out, and exports what changed since a partner', async () => {
    const api = fakeApi({ exchange: { exportBundle: async () => ({ ...EXPORT_SUMMARY, left_out_contacts: 0 }) } });
    render(ExportPanel, withApi(api));
    await fireEvent.input(screen.getByTestId('export-path'), { target: { value: ' /tmp/b.insisst ' } });
    await fireEvent.change(screen.getByTestId('export-scope'), { target: { value: 'changed' } });
    await screen.findAllByRole('option', { name: /Genio/ });
    expect((screen.getByTestId('export-submit') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.change(screen.getByTestId('export-changed-org'), { target: { value: 'p-ie2' } });
    await fireEvent.click(screen.getByTestId('export-submit'));
    expect(api.exchange.exportBundle).toHaveBeenCalledWith({
      path: '/tmp/b.insisst',
      scope: {
        tag: null,
        session: null,
        question: null,
        from: null,
        to: null,
        changed_since_last_to: 'p-ie2',
        for_org: 'p-ie2',
      },
    });
    await screen.findByTestId('export-summary');
    expect(screen.queryByTestId('export-left-out')).toBeNull();
  });

  it('offers the sessions to export one of', async () => {
    const api = fakeApi({ list: pagedList(3, 'session') });
    render(ExportPanel, withApi(api));
    await fireEvent.input(screen.getByTestId('export-path'), { target: { value: '/tmp/s.insisst' } });
    await fireEvent.change(screen.getByTestId('export-scope'), { target: { value: 'session' } });
    await screen.findByRole('option', { name: /Record 2/ });
    expect(api.records.list).toHaveBeenCalledWith('session', 0, 200);
    await fireEvent.change(screen.getByTestId('export-session'), { target: { value: 'session-2' } });
    await fireEvent.click(screen.getByTestId('export-submit'));
    expect(api.exchange.exportBundle).toHaveBeenCalledWith({
      path: '/tmp/s.insisst',
      scope: expect.objectContaining({ session: 'session-2', tag: null, for_org: null }),
    });
  });

  it('cancels a running export', async () => {
    const job = deferred<ExportSummary>();
    const api = fakeApi({
      exchange: {
        exportBundle: () => job.promise,
        cancel: async () => job.reject({ code: 'cancelled', message: 'Cancelled' }),
      },
    });
    render(ExportPanel, withApi(api));
    await fireEvent.input(screen.getByTestId('export-path'), { target: { value: '/tmp/c.insisst' } });
    await fireEvent.click(screen.getByTestId('export-submit'));
    await fireEvent.click(await screen.findByTestId('export-progress-cancel'));
    expect(api.exchange.cancel).toHaveBeenCalledTimes(1);
    expect((await screen.findByTestId('export-cancelled')).textContent).toContain('The export was cancelled');
    expect(screen.queryByTestId('export-progress')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByTestId('export-summary')).toBeNull();
  });

  it('shows a failed export as a readable error', async () => {
    const api = fakeApi({
      exchange: {
        exportBundle: async () => {
          throw { code: 'io', message: 'Cannot write /read-only/b.insisst' };
        },
      },
    });
    render(ExportPanel, withApi(api));
    await fireEvent.input(screen.getByTestId('export-path'), { target: { value: '/read-only/b.insisst' } });
    await fireEvent.click(screen.getByTestId('export-submit'));
    expect((await screen.findByTestId('error')).textContent).toContain('Cannot write /read-only/b.insisst (io)');
  });
});
