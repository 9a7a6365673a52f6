import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { SAMPLE_EVALUATION } from '../../lib/learningFixtures';
import { fakeApi, withApi } from '../../test/fakeApi';
import EvaluationFollowUps from './EvaluationFollowUps.svelte';
import EvaluationSessionPanel from './EvaluationSessionPanel.svelte';

describe('EvaluationSessionPanel', () => {
  it('sums up the session’s evaluation: forms per level, means, the planned follow-up', async () => {
    const api = fakeApi({ learning: { evaluation: async () => SAMPLE_EVALUATION } });
    render(EvaluationSessionPanel, { props: { sessionId: 's-1', sessionTitle: 'Workshop Łódź' }, ...withApi(api) });
    await screen.findByTestId('evaluation-summary');
    expect(api.learning.evaluation).toHaveBeenCalledWith('s-1');
    expect(screen.getByTestId('evaluation-level-reaction').textContent).toContain('12');
    expect(screen.getByTestId('evaluation-score-relevance').textContent).toMatch(/Relevance\s*4\.25\s*\(12 responses\)/);
    expect(screen.getByTestId('evaluation-follow-up-status').textContent).toContain('planned');
  });

  it('says when there is no form yet, and opens the review and the entry over the page', async () => {
    const api = fakeApi();
    render(EvaluationSessionPanel, { props: { sessionId: 's-1', sessionTitle: 'Workshop Łódź' }, ...withApi(api) });
    expect(await screen.findByTestId('evaluation-summary-empty')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('take-review'));
    expect(await screen.findByTestId('review-screen')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('review-close'));
    await fireEvent.click(screen.getByTestId('enter-evaluations'));
    expect(await screen.findByTestId('evaluation-entry')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('evaluation-close'));
    // Closing the entry reads the summary again (forms may have been saved).
    await waitFor(() => expect(api.learning.evaluation).toHaveBeenCalledTimes(2));
  });
});

describe('EvaluationFollowUps', () => {
  it('lists the follow-ups due, with how late they are', async () => {
    const api = fakeApi({
      learning: {
        followupsDue: async () => [
          { session_id: 's-9', session_title: 'Study visit Plzeň', due: '2026-11-20', days_overdue: 7, evaluation_ids: ['e1'] },
          { session_id: 's-8', session_title: 'Webinar Cork', due: '2026-11-27', days_overdue: 0, evaluation_ids: ['e2'] },
        ],
      },
    });
    render(EvaluationFollowUps, withApi(api));
    const items = await screen.findAllByTestId('followup-due');
    expect(items.map((i) => i.dataset.sessionId)).toEqual(['s-9', 's-8']);
    expect(items[0]!.textContent).toContain('7 days overdue');
    expect(items[1]!.textContent).not.toContain('overdue');
    expect(screen.getByTestId('followups-due').textContent).toContain('2 behaviour follow-ups due');
    expect(items[0]!.querySelector('a')?.getAttribute('href')).toBe('#/kind/session/s-9');
  });

  it('shows nothing when none is due or the list cannot load', async () => {
    const api = fakeApi({ learning: { followupsDue: async () => Promise.reject({ code: 'io', message: 'disk' }) } });
    render(EvaluationFollowUps, withApi(api));
    await waitFor(() => expect(api.learning.followupsDue).toHaveBeenCalled());
    expect(screen.queryByTestId('followups-due')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
