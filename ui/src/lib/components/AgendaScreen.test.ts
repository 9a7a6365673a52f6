import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { QuestionCard } from '../../lib/bindings/QuestionCard';
import type { RecordDetail as Detail } from '../../lib/bindings/RecordDetail';
import { fakeApi, withApi } from '../../test/fakeApi';
import AgendaScreen from './AgendaScreen.svelte';
import { COLUMN_PAGE } from './QuestionBoard.svelte';

function card(i: number, status: string, more: Partial<QuestionCard> = {}): QuestionCard {
  return {
    id: `q${i}`,
    rev: `1-r${i}`,
    title: `Question ${i} — Plzeň`,
    status,
    priority: i % 2 ? 'high' : 'low',
    theme: 'housing',
    owner_org: 'p-fi',
    owner_name: 'THL',
    created_at: '2026-11-01T10:00:00Z',
    updated_at: `2026-11-${String(10 + (i % 10)).padStart(2, '0')}T10:00:00Z`,
    ...more,
  };
}

function detailOf(c: QuestionCard, rev = c.rev): Detail {
  return {
    id: c.id,
    kind: 'question',
    title: c.title,
    rev,
    created_at: c.created_at,
    updated_at: c.updated_at,
    revision_count: 1,
    body_html: null,
    record: { id: c.id, kind: 'question', rev, title: c.title, status: c.status, priority: c.priority, theme: 'housing' },
    links: [],
    backlinks: [],
    schedule: null,
  };
}

function column(status: string): HTMLElement {
  const found = screen.getAllByTestId('board-column').find((c) => c.dataset.status === status);
  if (!found) throw new Error(`no column ${status}`);
  return found;
}

describe('AgendaScreen', () => {
  beforeEach(() => localStorage.clear());

  it('shows the questions by status with priority, theme, owner and age', async () => {
    const cards = [card(1, 'open'), card(2, 'open'), card(3, 'resolved')];
    const api = fakeApi({ questions: async () => cards });
    render(AgendaScreen, { props: { id: null }, ...withApi(api) });

    await screen.findByTestId('agenda-board');
    expect(within(column('open')).getAllByTestId('board-card').map((c) => c.dataset.id)).toEqual(['q1', 'q2']);
    expect(within(column('provisional')).queryAllByTestId('board-card')).toHaveLength(0);
    const first = within(column('open')).getAllByTestId('board-card')[0]!;
    expect(within(first).getByTestId('card-priority').textContent?.trim()).toBe('High');
    expect(first.textContent).toContain('housing');
    expect(first.textContent).toContain('THL');
    expect(first.textContent).toMatch(/\d+ days?/);
  });

  it('moves a card to the next status with Alt+→, saving its new status with the card’s rev', async () => {
    const cards = [card(1, 'open'), card(2, 'provisional')];
    const update = vi.fn(async (id: string, fields: Record<string, unknown>, _rev: string) => ({
      ...detailOf(cards.find((c) => c.id === id)!, '2-new'),
      record: { ...fields, rev: '2-new' } as Detail['record'],
    }));
    const api = fakeApi({
      questions: async () => cards,
      get: async (id) => detailOf(cards.find((c) => c.id === id)!),
      update,
    });
    render(AgendaScreen, { props: { id: null }, ...withApi(api) });

    const link = within(await screen.findByTestId('agenda-board')).getAllByTestId('card-title')[0]!;
    expect(link.dataset.cardLink).toBe('q1');
    link.focus();
    await fireEvent.keyDown(link, { key: 'ArrowRight', altKey: true });

    await vi.waitFor(() => expect(update).toHaveBeenCalledTimes(1));
    const [id, fields, rev] = update.mock.calls[0]!;
    expect(id).toBe('q1');
    expect(fields.status).toBe('provisional');
    expect(fields.title).toBe('Question 1 — Plzeň');
    expect(fields.priority).toBe('high');
    expect(rev).toBe('1-r1');
    await vi.waitFor(() =>
      expect(within(column('provisional')).getAllByTestId('board-card').map((c) => c.dataset.id)).toContain('q1'),
    );
    expect(within(column('open')).queryAllByTestId('board-card')).toHaveLength(0);
    // focus follows the card into its new column, so Alt+→ again keeps moving it
    await vi.waitFor(() => expect((document.activeElement as HTMLElement | null)?.dataset.cardLink).toBe('q1'));
    expect(screen.getByTestId('agenda-announcement').textContent).toContain('Provisional');

    // Alt+← on the first column's edge does nothing; a plain arrow only moves focus.
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(update).toHaveBeenCalledTimes(1);
  });

  it('moves a card dropped on another column', async () => {
    const cards = [card(1, 'open')];
    const update = vi.fn(async (id: string, _fields: Record<string, unknown>, _rev: string) =>
      detailOf({ ...cards[0]!, status: 'dropped' }, '2-new'),
    );
    const api = fakeApi({ questions: async () => cards, get: async () => detailOf(cards[0]!), update });
    render(AgendaScreen, { props: { id: null }, ...withApi(api) });

    await screen.findByTestId('agenda-board');
    const data = new Map<string, string>();
    const dataTransfer = {
      setData: (type: string, value: string) => data.set(type, value),
      getData: (type: string) => data.get(type) ?? '',
      effectAllowed: 'all',
      dropEffect: 'none',
    };
    await fireEvent.dragStart(within(column('open')).getByTestId('board-card'), { dataTransfer });
    await fireEvent.dragOver(column('dropped'), { dataTransfer });
    await fireEvent.drop(column('dropped'), { dataTransfer });

    await vi.waitFor(() => expect(update).toHaveBeenCalledTimes(1));
    expect(update.mock.calls[0]![1].status).toBe('dropped');
    expect(update.mock.calls[0]![2]).toBe('1-r1');
    expect(within(column('dropped')).getAllByTestId('board-card').map((c) => c.dataset.id)).toEqual(['q1']);
  });

  it('puts a card back and shows the error when the save is refused', async () => {
    const cards = [card(1, 'open')];
    const api = fakeApi({
      questions: async () => cards,
      get: async () => detailOf(cards[0]!, '2-elsewhere'),
      update: async () => {
        throw { code: 'conflict', message: 'record q1 changed since revision 1-r1 (now 2-elsewhere); reload it and try again' };
      },
    });
    render(AgendaScreen, { props: { id: null }, ...withApi(api) });

    const move = within(await screen.findByTestId('agenda-board')).getByTestId('card-move');
    await fireEvent.change(move, { target: { value: 'resolved' } });
    expect((await screen.findByTestId('board-error')).textContent).toContain('changed since revision 1-r1');
    expect(within(column('open')).getAllByTestId('board-card').map((c) => c.dataset.id)).toEqual(['q1']);
    expect(within(column('resolved')).queryAllByTestId('board-card')).toHaveLength(0);
  });

  it('caps each column and shows more on request', async () => {
    const cards = Array.from({ length: COLUMN_PAGE + 7 }, (_, i) => card(i, 'open'));
    const api = fakeApi({ questions: async () => cards });
    render(AgendaScreen, { props: { id: null }, ...withApi(api) });

    await screen.findByTestId('agenda-board');
    expect(within(column('open')).getAllByTestId('board-card')).toHaveLength(COLUMN_PAGE);
    expect(within(column('open')).getByTestId('column-count').textContent).toBe(String(COLUMN_PAGE + 7));
    await fireEvent.click(within(column('open')).getByTestId('column-more'));
    expect(within(column('open')).getAllByTestId('board-card')).toHaveLength(COLUMN_PAGE + 7);
  });

  it('lists the questions sortable by priority, theme, owner and age', async () => {
    const cards = [
      card(1, 'open', { priority: 'low', theme: 'zeta', owner_name: 'SIA', created_at: '2026-11-20T00:00:00Z' }),
      card(2, 'resolved', { priority: 'high', theme: 'alpha', owner_name: 'THL', created_at: '2026-01-01T00:00:00Z' }),
      card(3, 'open', { priority: null, theme: null, owner_name: 'Genio', created_at: '2026-06-01T00:00:00Z' }),
    ];
    const api = fakeApi({ questions: async () => cards });
    render(AgendaScreen, { props: { id: null }, ...withApi(api) });

    await fireEvent.click(await screen.findByTestId('agenda-view-list'));
    const order = () => screen.getAllByTestId('agenda-row').map((r) => r.dataset.id);
    expect(order()).toEqual(['q2', 'q1', 'q3']); // priority: high, low, none last
    await fireEvent.click(screen.getByTestId('agenda-sort-theme'));
    expect(order()).toEqual(['q2', 'q1', 'q3']); // alpha, zeta, none last
    await fireEvent.click(screen.getByTestId('agenda-sort-owner'));
    expect(order()).toEqual(['q3', 'q1', 'q2']); // Genio, SIA, THL
    await fireEvent.click(screen.getByTestId('agenda-sort-age'));
    expect(order()).toEqual(['q2', 'q3', 'q1']); // oldest first
    await fireEvent.click(screen.getByTestId('agenda-sort-age'));
    expect(order()).toEqual(['q1', 'q3', 'q2']);
    expect(localStorage.getItem('insisst.agendaView')).toBe('list');
  });
});
