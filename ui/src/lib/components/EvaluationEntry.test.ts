import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, withApi } from '../../test/fakeApi';
import EvaluationEntry from './EvaluationEntry.svelte';

function setup(overrides: Parameters<typeof fakeApi>[0] = {}) {
  const api = fakeApi(overrides);
  const onsaved = vi.fn();
  const onclose = vi.fn();
  render(EvaluationEntry, { props: { sessionId: 's-1', sessionTitle: 'Workshop Łódź', onclose, onsaved }, ...withApi(api) });
  return { api, onsaved, onclose };
}

const cell = (r: number, item: string) => screen.getByTestId(`evaluation-cell-${r}-${item}`) as HTMLInputElement;

/** Types `keys` one by one into whatever has the focus. */
async function type(keys: string): Promise<void> {
  for (const key of keys) {
    await fireEvent.keyDown(document.activeElement!, { key });
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe('EvaluationEntry', () => {
  it('fills a form by digits alone: each fills a cell and moves on, then the comment', async () => {
    setup();
    await waitFor(() => expect(document.activeElement).toBe(cell(0, 'relevance')));
    await type('4535423');
    expect(['relevance', 'usefulness', 'facilitation', 'organisation', 'overall', 'before', 'after'].map((i) => cell(0, i).value)).toEqual([
      '4', '5', '3', '5', '4', '2', '3',
    ]);
    expect(document.activeElement).toBe(screen.getByTestId('evaluation-comment-0'));
    expect(screen.getByTestId('evaluation-pending').textContent).toContain('2 forms to save');
  });

  it('refuses other characters, clears with 0 and steps back with Backspace', async () => {
    setup();
    await waitFor(() => expect(document.activeElement).toBe(cell(0, 'relevance')));
    await type('7x9');
    expect(cell(0, 'relevance').value).toBe('');
    expect(document.activeElement).toBe(cell(0, 'relevance'));
    await type('45');
    expect(document.activeElement).toBe(cell(0, 'facilitation'));
    await fireEvent.keyDown(document.activeElement!, { key: 'Backspace' });
    await waitFor(() => expect(document.activeElement).toBe(cell(0, 'usefulness')));
    await type('0');
    expect(cell(0, 'usefulness').value).toBe('');
    expect(cell(0, 'relevance').value).toBe('4');
  });

  it('starts the next form with Enter in the comment and saves them all with Ctrl+Enter', async () => {
    const { api, onsaved } = setup();
    await waitFor(() => expect(document.activeElement).toBe(cell(0, 'relevance')));
    await type('55555');
    await type('14');
    const comment = screen.getByTestId('evaluation-comment-0') as HTMLInputElement;
    await fireEvent.input(comment, { target: { value: 'Inspiring — díky' } });
    await fireEvent.keyDown(comment, { key: 'Enter' });
    await waitFor(() => expect(document.activeElement).toBe(cell(1, 'relevance')));
    await type('3');
    await fireEvent.input(screen.getByTestId('evaluation-follow-up'), { target: { value: '2027-03-01' } });
    await fireEvent.keyDown(document.activeElement!, { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(api.learning.recordForms).toHaveBeenCalledTimes(1));
    expect(api.learning.recordForms).toHaveBeenCalledWith('s-1', [
      {
        level: 'reaction',
        ratings: { relevance: 5, usefulness: 5, facilitation: 5, organisation: 5, overall: 5 },
        comments: 'Inspiring — díky',
        follow_up_due: '2027-03-01',
      },
      { level: 'learning', ratings: { before: 1, after: 4 }, comments: null, follow_up_due: null },
      { level: 'reaction', ratings: { relevance: 3 }, comments: null, follow_up_due: '2027-03-01' },
    ]);
    expect((await screen.findByTestId('evaluation-saved')).textContent).toContain('3 forms saved');
    expect(onsaved).toHaveBeenCalled();
    expect(screen.getAllByTestId('evaluation-row')).toHaveLength(1);
    expect(cell(0, 'relevance').value).toBe('');
  });

  it('keeps the forms when the save is refused, and says why', async () => {
    const { api } = setup({ learning: { recordForms: async () => Promise.reject({ code: 'invalid_field', message: 'ratings.relevance: 9 is not 1–5' }) } });
    await waitFor(() => expect(document.activeElement).toBe(cell(0, 'relevance')));
    await type('4');
    await fireEvent.click(screen.getByTestId('evaluation-save'));
    expect((await screen.findByTestId('evaluation-error')).textContent).toContain('9 is not 1–5');
    expect(api.learning.recordForms).toHaveBeenCalled();
    expect(cell(0, 'relevance').value).toBe('4');
  });

  it('imports a survey export: a dry run with the per-row report first, then the import', async () => {
    const { api, onsaved } = setup({ learning: { pickCsv: async () => '/home/åsa/survey.csv' } });
    await fireEvent.click(screen.getByTestId('evaluation-tab-csv'));
    await fireEvent.click(screen.getByTestId('evaluation-csv-pick'));
    const report = await screen.findByTestId('evaluation-csv-report');
    expect(api.learning.importCsv).toHaveBeenCalledWith('s-1', '/home/åsa/survey.csv', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), true);
    expect(report.textContent).toContain('5 rows, 4 good, 0 imported before, 1 with problems');
    expect(screen.getByTestId('evaluation-csv-problems').textContent).toContain('is not a rating from 1 to 5');
    expect(onsaved).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('evaluation-csv-import'));
    await waitFor(() => expect(api.learning.importCsv).toHaveBeenLastCalledWith('s-1', '/home/åsa/survey.csv', expect.any(String), false));
    expect((await screen.findByTestId('evaluation-csv-report')).textContent).toContain('Imported');
    expect(onsaved).toHaveBeenCalled();
    expect(screen.queryByTestId('evaluation-csv-import')).toBeNull();
  });
});
