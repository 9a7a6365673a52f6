import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { fakeApi, withApi } from '../../test/fakeApi';
import FilesPanel from './FilesPanel.svelte';

describe('FilesPanel', () => {
  it('imports a vCard file and shows what became of each card, skipped ones with why', async () => {
    const api = fakeApi({
      interop: {
        importFile: async (_format, path) => ({
          source: path,
          created: 1,
          updated: 0,
          unchanged: 0,
          skipped: 1,
          items: [
            { item: 'card 1 (line 1) "Aino Virtanen"', outcome: 'created', record_id: 'c1', messages: [] },
            { item: 'card 2 (line 9)', outcome: 'skipped', record_id: null, messages: ['no name (FN or N)'] },
          ],
          problems: [],
        }),
      },
    });
    let imported = 0;
    render(FilesPanel, { ...withApi(api), props: { onimported: () => imported++ } });
    const card = screen.getByTestId('files-vcard');
    await fireEvent.input(within(card).getByTestId('files-vcard-import-path'), { target: { value: '/tmp/phone.vcf' } });
    await fireEvent.click(within(card).getByTestId('files-vcard-import'));
    const result = await within(card).findByTestId('files-vcard-imported');
    expect(api.interop.importFile).toHaveBeenCalledWith('vcard', '/tmp/phone.vcf');
    expect(result.querySelector('[data-outcome="skipped"] b')?.textContent).toBe('1');
    const skipped = result.querySelector('tr[data-outcome="skipped"]');
    expect(skipped?.textContent).toContain('no name (FN or N)');
    expect(imported).toBe(1);
  });

  it('exports contacts and says how many may not be shared', async () => {
    const api = fakeApi({
      interop: {
        exportFile: async (_format, path) => ({
          target: path,
          written: 12,
          not_shareable_included: 3,
          not_shareable_left_out: 0,
          files: 0,
          messages: [],
        }),
      },
    });
    render(FilesPanel, withApi(api));
    const card = screen.getByTestId('files-vcard');
    await fireEvent.input(within(card).getByTestId('files-vcard-export-path'), { target: { value: '/tmp/out.vcf' } });
    await fireEvent.click(within(card).getByTestId('files-vcard-export'));
    expect((await within(card).findByTestId('files-not-shareable')).textContent).toContain('3 people in this file may not be shared');
    expect(api.interop.exportFile).toHaveBeenCalledWith('vcard', '/tmp/out.vcf', null, false);
  });
});
