import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { ImportSummary } from '../bindings/ImportSummary';
import { fakeApi, PREVIEW, progressEvent, withApi } from '../../test/fakeApi';
import ImportPanel from './ImportPanel.svelte';

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function cells(row: Element): Record<string, string> {
  const out: Record<string, string> = {};
  for (const cell of row.querySelectorAll('[data-col]')) out[cell.getAttribute('data-col') ?? ''] = cell.textContent ?? '';
  return out;
}

async function previewFile(path: string): Promise<HTMLElement> {
  await fireEvent.input(screen.getByTestId('import-path'), { target: { value: path } });
  await fireEvent.click(screen.getByTestId('import-preview-button'));
  return screen.findByTestId('import-preview');
}

describe('ImportPanel', () => {
  it('previews a bundle (signer, plan per kind and total), then imports it with progress', async () => {
    const job = deferred<ImportSummary>();
    const api = fakeApi({
      exchange: {
        pickFile: async () => '/home/åsa/Downloads/from-sif.insisst',
        importBundle: () => job.promise,
      },
    });
    const onimported = vi.fn();
    render(ImportPanel, { props: { onimported }, ...withApi(api) });

    expect((screen.getByTestId('import-preview-button') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('import-path-choose'));
    expect(api.exchange.pickFile).toHaveBeenCalledWith(false, null);
    await waitFor(() =>
      expect((screen.getByTestId('import-path') as HTMLInputElement).value).toBe(
        '/home/åsa/Downloads/from-sif.insisst',
      ),
    );
    await fireEvent.click(screen.getByTestId('import-preview-button'));
    expect(api.exchange.preview).toHaveBeenCalledWith('/home/åsa/Downloads/from-sif.insisst');
    const preview = await screen.findByTestId('import-preview');

    const signature = within(preview).getByTestId('import-signature');
    expect(signature.getAttribute('data-status')).toBe('known_key');
    expect(signature.textContent).toContain('Eline De Smet, SIF');
    expect(signature.textContent).toContain('a1b2 c3d4 e5f6 0718');
    expect(signature.textContent).toContain('Known key');
    expect(screen.queryByTestId('import-trust-key')).toBeNull();
    expect(screen.getByTestId('import-scope').textContent).toBe('tag "youth"');
    expect(screen.getByTestId('import-format').textContent).toBe('1');

    const plan = screen.getByTestId('import-plan');
    const note = plan.querySelector('[data-kind="note"]');
    const session = plan.querySelector('[data-kind="session"]');
    const total = within(plan).getByTestId('import-plan-total');
    expect(note?.querySelector('th')?.textContent).toBe('Notes');
    expect(cells(note as Element)).toEqual({ new: '4', updated: '2', unchanged: '7', conflicting: '1', deleted: '0' });
    expect(cells(session as Element)).toEqual({ new: '1', updated: '0', unchanged: '3', conflicting: '0', deleted: '2' });
    expect(cells(total)).toEqual({ new: '5', updated: '2', unchanged: '10', conflicting: '1', deleted: '2' });
    expect(screen.getByTestId('import-attachments').textContent).toContain('3 new attachment files');
    expect(screen.queryByTestId('import-seen-before')).toBeNull();

    const submit = screen.getByTestId('import-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(false);
    await fireEvent.click(submit);
    expect(api.exchange.importBundle).toHaveBeenCalledWith('/home/åsa/Downloads/from-sif.insisst', false);
    await screen.findByTestId('import-progress');
    api.emitProgress(progressEvent('apply', 7, 20));
    await waitFor(() => expect(screen.getByTestId('import-progress-count').textContent).toBe('7 of 20'));
    expect(screen.getByTestId('import-progress').textContent).toContain('Applying the changes');

    const summary: ImportSummary = { preview: { ...PREVIEW, signature: 'new_author' }, key_recorded: true };
    job.resolve(summary);
    const result = await screen.findByTestId('import-result');
    expect(result.textContent).toContain('From Eline De Smet, SIF.');
    expect(screen.getByTestId('import-result-counts').textContent).toBe(
      '5 new, 2 updated, 10 unchanged, 1 conflicting, 2 deleted.',
    );
    expect(screen.getByTestId('import-key-recorded')).toBeTruthy();
    expect(screen.getByTestId('import-resolve').getAttribute('href')).toBe('#/exchange/conflicts');
    expect(screen.queryByTestId('import-preview')).toBeNull();
    expect(onimported).toHaveBeenCalledWith(summary);
  });

  it('requires "Trust the new key" before importing a bundle signed with a changed key', async () => {
    const api = fakeApi({
      exchange: { preview: async (path) => ({ ...PREVIEW, path, signature: 'changed_key', seen_before: true }) },
    });
    render(ImportPanel, withApi(api));
    await previewFile('/tmp/changed.insisst');

    const signature = screen.getByTestId('import-signature');
    expect(signature.getAttribute('data-status')).toBe('changed_key');
    expect(signature.textContent).toContain('CHANGED KEY');
    expect(screen.getByTestId('import-seen-before').textContent).toContain('imported before');
    const submit = screen.getByTestId('import-submit') as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await fireEvent.click(submit);
    expect(api.exchange.importBundle).not.toHaveBeenCalled();

    const trust = screen.getByTestId('import-trust-key') as HTMLInputElement;
    await fireEvent.click(trust);
    expect(trust.checked).toBe(true);
    expect(submit.disabled).toBe(false);
    await fireEvent.click(trust);
    expect(submit.disabled).toBe(true);
    await fireEvent.click(trust);
    await fireEvent.click(submit);
    expect(api.exchange.importBundle).toHaveBeenCalledWith('/tmp/changed.insisst', true);
    await screen.findByTestId('import-result');
  });

  it('shows why a refused bundle was refused, and no preview', async () => {
    const api = fakeApi({
      exchange: {
        preview: async (path) => {
          throw { code: 'bad_signature', message: `The signature of ${path} does not match its content` };
        },
      },
    });
    render(ImportPanel, withApi(api));
    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/tmp/tampered.insisst' } });
    await fireEvent.click(screen.getByTestId('import-preview-button'));
    const error = await screen.findByTestId('error');
    expect(error.textContent).toContain(
      'The signature of /tmp/tampered.insisst does not match its content (bad_signature)',
    );
    expect(screen.queryByTestId('import-preview')).toBeNull();
    expect(screen.queryByTestId('import-submit')).toBeNull();
  });

  it('cancels a running import: nothing changed, the preview stays', async () => {
    const job = deferred<ImportSummary>();
    const api = fakeApi({
      exchange: {
        importBundle: () => job.promise,
        cancel: async () => job.reject({ code: 'cancelled', message: 'Cancelled' }),
      },
    });
    const onimported = vi.fn();
    render(ImportPanel, { props: { onimported }, ...withApi(api) });
    await previewFile('/tmp/big.insisst');
    await fireEvent.click(screen.getByTestId('import-submit'));
    await fireEvent.click(await screen.findByTestId('import-progress-cancel'));
    expect(api.exchange.cancel).toHaveBeenCalledTimes(1);
    expect((await screen.findByTestId('import-cancelled')).textContent).toContain('Nothing was changed');
    expect(screen.getByTestId('import-preview')).toBeTruthy();
    expect(screen.queryByTestId('import-result')).toBeNull();
    expect(onimported).not.toHaveBeenCalled();
  });

  it('drops the preview when another file is typed', async () => {
    const api = fakeApi();
    render(ImportPanel, withApi(api));
    await previewFile('/tmp/a.insisst');
    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/tmp/b.insisst' } });
    expect(screen.queryByTestId('import-preview')).toBeNull();
  });
});
