import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { SAMPLE_HISTORY } from '../../lib/learningFixtures';
import { fakeApi, READY_STATUS, withApi } from '../../test/fakeApi';
import AgendaScreen from './AgendaScreen.svelte';
import ReviewHistory from './ReviewHistory.svelte';

describe('ReviewHistory', () => {
  beforeEach(() => localStorage.clear());

  it('lists the reviews and compares the last two by default, showing before → after', async () => {
    const api = fakeApi();
    render(ReviewHistory, withApi(api));
    const rows = await screen.findAllByTestId('review-row');
    expect(rows.map((r) => r.dataset.reviewId)).toEqual(['rev-1', 'rev-2', 'rev-3']);
    await waitFor(() => expect(api.learning.diff).toHaveBeenCalledWith('rev-2', 'rev-3'));
    const resolved = await screen.findByTestId('review-diff-resolved');
    expect(resolved.textContent).toContain('Which outcome fund suits Gdańsk?');
    expect(resolved.textContent).toMatch(/Provisional\s*→\s*Resolved/);
    expect(screen.getByTestId('review-diff-dropped').textContent).toMatch(/Open\s*→\s*Dropped/);
    expect(screen.queryByTestId('review-diff-added')).toBeNull();
  });

  it('compares the reviews chosen', async () => {
    const api = fakeApi();
    render(ReviewHistory, withApi(api));
    await screen.findAllByTestId('review-row');
    await fireEvent.click(screen.getByTestId('review-from-0'));
    await waitFor(() => expect(api.learning.diff).toHaveBeenLastCalledWith('rev-1', 'rev-3'));
  });

  it('highlights persistent questions in the timeline, one cell per review', async () => {
    render(ReviewHistory, withApi(fakeApi()));
    const rows = await screen.findAllByTestId('review-timeline-row');
    expect(rows.map((r) => [r.dataset.questionId, r.dataset.persistent])).toEqual([
      ['q1', 'true'],
      ['q2', 'false'],
      ['q3', 'false'],
      ['q4', 'false'],
    ]);
    expect(rows[0]!.classList.contains('persistent')).toBe(true);
    // q3 appeared in the second review: no status in the first cell.
    const q3cells = within(rows[2]!).getAllByRole('cell');
    expect(q3cells.slice(0, 3).map((c) => c.textContent?.trim())).toEqual(['', 'Open', 'Open']);
    expect(screen.getByTestId('review-persistent-count').textContent).toContain('1 persistent question');
    await fireEvent.click(screen.getByTestId('review-persistent-only'));
    expect(screen.getAllByTestId('review-timeline-row')).toHaveLength(1);
  });

  it('keeps the threshold per workspace and asks for the history at it', async () => {
    localStorage.setItem(`insisst.persistenceThreshold:${READY_STATUS.path}`, '4');
    const api = fakeApi();
    render(ReviewHistory, withApi(api));
    await screen.findAllByTestId('review-row');
    expect(api.learning.history).toHaveBeenCalledWith(4);
    const input = screen.getByTestId('review-threshold') as HTMLInputElement;
    expect(input.value).toBe('4');
    await fireEvent.change(input, { target: { value: '2' } });
    await waitFor(() => expect(api.learning.history).toHaveBeenLastCalledWith(2));
    expect(localStorage.getItem(`insisst.persistenceThreshold:${READY_STATUS.path}`)).toBe('2');
    await fireEvent.change(input, { target: { value: '0' } });
    expect(localStorage.getItem(`insisst.persistenceThreshold:${READY_STATUS.path}`)).toBe('2');
  });

  it('says when no review was taken yet', async () => {
    render(ReviewHistory, withApi(fakeApi({ learning: { history: async () => ({ ...SAMPLE_HISTORY, reviews: [], questions: [] }) } })));
    expect(await screen.findByTestId('review-none')).toBeTruthy();
  });

  it('is the Reviews view of the learning agenda, remembered like the others', async () => {
    const api = fakeApi();
    render(AgendaScreen, { props: { id: null }, ...withApi(api) });
    await fireEvent.click(await screen.findByTestId('agenda-view-reviews'));
    expect(await screen.findByTestId('review-history')).toBeTruthy();
    expect(localStorage.getItem('insisst.agendaView')).toBe('reviews');
  });
});
