import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { EMPTY_OVERVIEW, fakeApi, OVERVIEW, READY_STATUS, withApi } from '../../test/fakeApi';
import HomeScreen from './HomeScreen.svelte';

describe('HomeScreen', () => {
  it('lists upcoming sessions with their times, open questions by priority and recent notes', async () => {
    const api = fakeApi();
    render(HomeScreen, { props: { status: READY_STATUS }, ...withApi(api) });
    const sessions = await screen.findAllByTestId('home-upcoming-item');
    expect(sessions).toHaveLength(2);
    expect(sessions[0]?.getAttribute('href')).toBe('#/kind/session/session-1');
    // Local times as the session has them, in its zone; same-day end shown as a range.
    expect(sessions[0]?.textContent).toContain('Tue 1 Dec');
    expect(sessions[0]?.textContent).toContain('09:30–16:00');
    expect(sessions[0]?.textContent).toContain('Europe/Prague');
    expect(sessions[0]?.textContent).toContain('Peer exchange');
    // A two-day session shows its start only.
    expect(screen.getAllByTestId('home-upcoming-time')[1]?.textContent).toBe('10:00');

    const questions = screen.getAllByTestId('home-question');
    expect(questions.map((q) => q.querySelector('.priority')?.textContent?.trim())).toEqual([
      'High',
      'Medium',
      'No priority',
    ]);
    expect(questions[1]?.textContent).toContain('What makes Łódź pilots last?');
    expect(screen.getByTestId('home-questions-count').textContent).toBe(
      '12 open questions on the learning agenda',
    );

    const notes = screen.getAllByTestId('home-note');
    expect(notes.map((n) => n.getAttribute('href'))).toEqual(['#/kind/note/note-1', '#/kind/note/note-2']);
    expect(api.home.overview).toHaveBeenCalledTimes(1);
    // The record cards stay.
    expect(screen.getByTestId('card-note').textContent).toContain('12');
  });

  it('says what to do when a panel is empty, and offers to create', async () => {
    const onnew = vi.fn();
    const api = fakeApi({ overview: async () => EMPTY_OVERVIEW });
    render(HomeScreen, { props: { status: READY_STATUS, onnew }, ...withApi(api) });
    const upcoming = await screen.findByTestId('home-upcoming-empty');
    expect(upcoming.textContent).toContain('No sessions in the next 14 days.');
    expect(screen.getByTestId('home-questions-empty').textContent).toContain('Learning agenda');
    expect(screen.getByTestId('home-notes-empty').textContent).toContain('Ctrl+N');
    await fireEvent.click(screen.getByRole('button', { name: 'New session' }));
    await fireEvent.click(screen.getByRole('button', { name: 'New note' }));
    expect(onnew.mock.calls).toEqual([['session'], ['note']]);
  });

  it('shows a failing overview as a readable error, and retries', async () => {
    let fail = true;
    const api = fakeApi({
      overview: async () => {
        if (fail) throw { code: 'io', message: 'disk unplugged' };
        return OVERVIEW;
      },
    });
    render(HomeScreen, { props: { status: READY_STATUS }, ...withApi(api) });
    expect((await screen.findByRole('alert')).textContent).toContain('disk unplugged (io)');
    fail = false;
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getAllByTestId('home-upcoming-item')).toHaveLength(2));
  });
});
