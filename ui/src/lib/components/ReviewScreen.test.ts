import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { QuestionCard } from '../../lib/bindings/QuestionCard';
import type { RecordDetail as Detail } from '../../lib/bindings/RecordDetail';
import { fakeApi, withApi } from '../../test/fakeApi';
import ReviewScreen from './ReviewScreen.svelte';

function card(id: string, title: string, status: string, priority: string | null): QuestionCard {
  return {
    id,
    rev: `1-${id}`,
    title,
    status,
    priority,
    theme: 'housing',
    owner_org: 'p-fi',
    owner_name: 'THL',
    created_at: '2026-11-01T10:00:00Z',
    updated_at: '2026-11-01T10:00:00Z',
  };
}

const CARDS = [
  card('q1', 'Low one — Brno', 'open', 'low'),
  card('q2', 'High one — Łódź', 'provisional', 'high'),
  card('q3', 'Closed — Århus', 'resolved', 'high'),
];

function detail(c: QuestionCard, rev = c.rev, more: Record<string, unknown> = {}): Detail {
  return {
    id: c.id,
    kind: 'question',
    title: c.title,
    rev,
    created_at: c.created_at,
    updated_at: c.updated_at,
    revision_count: 1,
    body_html: null,
    record: { id: c.id, kind: 'question', rev, title: c.title, status: c.status, priority: c.priority, theme: 'housing', ...more } as Detail['record'],
    links: [],
    backlinks: [],
    schedule: null,
  };
}

function setup() {
  const update = vi.fn(async (id: string, fields: Record<string, unknown>, _rev?: string) => {
    const c = CARDS.find((x) => x.id === id)!;
    return detail(c, '2-saved', fields);
  });
  const api = fakeApi({
    questions: async () => CARDS,
    get: async (id) => detail(CARDS.find((c) => c.id === id)!, undefined, id === 'q2' ? { provisional_answer: 'Pilot first' } : {}),
    update,
  });
  const onclose = vi.fn();
  const ondone = vi.fn();
  render(ReviewScreen, { props: { sessionId: 's-1', sessionTitle: 'Workshop Łódź', onclose, ondone }, ...withApi(api) });
  return { api, update, onclose, ondone, dialog: screen.getByTestId('review-screen') };
}

async function atQuestion(id: string): Promise<void> {
  await waitFor(() => expect(screen.getByTestId('review-question').dataset.questionId).toBe(id));
  await screen.findByTestId('review-answer');
}

describe('ReviewScreen', () => {
  it('walks the open questions, highest priority first, and leaves unchanged ones unsaved', async () => {
    const { update, dialog } = setup();
    await atQuestion('q2');
    expect(screen.getByTestId('review-position').textContent).toContain('Question 1 of 2');
    expect((screen.getByTestId('review-answer') as HTMLTextAreaElement).value).toBe('Pilot first');
    expect(screen.getByTestId('review-status-provisional').getAttribute('aria-pressed')).toBe('true');
    await fireEvent.keyDown(dialog, { key: 'Enter' });
    await atQuestion('q1');
    expect(update).not.toHaveBeenCalled();
    await fireEvent.keyDown(dialog, { key: 'Enter' });
    await screen.findByTestId('review-finish');
  });

  it('sets status and priority by key and saves the change with the revision it loaded', async () => {
    const { update, dialog } = setup();
    await atQuestion('q2');
    await fireEvent.keyDown(dialog, { key: '3' });
    await fireEvent.keyDown(dialog, { key: 'm' });
    expect(screen.getByTestId('review-status-resolved').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('review-priority-medium').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('review-changed')).toBeTruthy();
    await fireEvent.keyDown(dialog, { key: 'Enter' });
    await atQuestion('q1');
    expect(update).toHaveBeenCalledTimes(1);
    const [id, fields, rev] = update.mock.calls[0]!;
    expect(id).toBe('q2');
    expect(rev).toBe('1-q2');
    expect(fields).toMatchObject({ status: 'resolved', priority: 'medium', provisional_answer: 'Pilot first', theme: 'housing' });
    expect(fields).not.toHaveProperty('rev');
  });

  it('writes the answer after a, where keys type text instead of acting', async () => {
    const { update, dialog } = setup();
    await atQuestion('q2');
    await fireEvent.keyDown(dialog, { key: 'a' });
    const answer = screen.getByTestId('review-answer') as HTMLTextAreaElement;
    expect(document.activeElement).toBe(answer);
    await fireEvent.keyDown(answer, { key: '4' });
    expect(screen.getByTestId('review-status-provisional').getAttribute('aria-pressed')).toBe('true');
    await fireEvent.input(answer, { target: { value: 'Ask the ministry in Plzeň' } });
    await fireEvent.keyDown(answer, { key: 'Escape' });
    expect(document.activeElement).toBe(dialog);
    await fireEvent.keyDown(dialog, { key: 'Enter' });
    await atQuestion('q1');
    expect(update.mock.calls[0]![1]).toMatchObject({ provisional_answer: 'Ask the ministry in Plzeň', status: 'provisional' });
  });

  it('goes back with Shift+Enter and includes closed questions when asked', async () => {
    const { dialog } = setup();
    await atQuestion('q2');
    await fireEvent.keyDown(dialog, { key: 'Enter' });
    await atQuestion('q1');
    await fireEvent.keyDown(dialog, { key: 'Enter', shiftKey: true });
    await atQuestion('q2');
    await fireEvent.click(screen.getByTestId('review-include-closed'));
    await waitFor(() => expect(screen.getByTestId('review-position').textContent).toContain('of 3'));
  });

  it('takes the review with the remarks at the end (Ctrl+Enter) and says so', async () => {
    const { api, dialog, ondone } = setup();
    await atQuestion('q2');
    await fireEvent.keyDown(dialog, { key: 'Enter' });
    await atQuestion('q1');
    await fireEvent.keyDown(dialog, { key: 'Enter' });
    const remarks = (await screen.findByTestId('review-remarks')) as HTMLTextAreaElement;
    await fireEvent.input(remarks, { target: { value: '  Good energy; ministry joins next time.  ' } });
    await fireEvent.keyDown(remarks, { key: 'Enter', ctrlKey: true });
    await screen.findByTestId('review-done');
    expect(api.learning.takeReview).toHaveBeenCalledWith('s-1', 'Good energy; ministry joins next time.');
    expect(ondone).toHaveBeenCalledWith(expect.objectContaining({ id: 'review-new' }));
    expect(screen.getByTestId('review-open').getAttribute('href')).toBe('#/kind/review/review-new');
  });

  it('shows a refused save and stays on the question', async () => {
    const { api, dialog } = setup();
    vi.mocked(api.records.update).mockRejectedValueOnce({ code: 'conflict', message: 'The question changed meanwhile' });
    await atQuestion('q2');
    await fireEvent.keyDown(dialog, { key: '1' });
    await fireEvent.keyDown(dialog, { key: 'Enter' });
    expect((await screen.findByTestId('review-error')).textContent).toContain('changed meanwhile');
    expect(screen.getByTestId('review-question').dataset.questionId).toBe('q2');
  });

  it('closes with Escape', async () => {
    const { dialog, onclose } = setup();
    await atQuestion('q2');
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onclose).toHaveBeenCalled();
  });
});

describe('ReviewScreen inside the app', () => {
  it('keeps keys from the app’s shortcuts behind it, and Enter on a status button goes on', async () => {
    const seen = vi.fn();
    window.addEventListener('keydown', seen);
    try {
      const { dialog } = setup();
      await atQuestion('q2');
      await fireEvent.keyDown(dialog, { key: 'g' });
      expect(seen).not.toHaveBeenCalled();
      const resolved = screen.getByTestId('review-status-resolved');
      await fireEvent.click(resolved);
      resolved.focus();
      await fireEvent.keyDown(resolved, { key: 'Enter' });
      await atQuestion('q1');
    } finally {
      window.removeEventListener('keydown', seen);
    }
  });
});
