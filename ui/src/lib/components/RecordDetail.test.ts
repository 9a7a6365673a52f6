import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { router } from '../router.svelte';
import type { RecordDetail as Detail } from '../../lib/bindings/RecordDetail';
import { fakeApi, withApi } from '../../test/fakeApi';
import RecordDetail from './RecordDetail.svelte';

const SESSION: Detail = {
  id: 's1',
  kind: 'session',
  title: 'Peer exchange in Århus',
  rev: '3-abcdef0123456789',
  created_at: '2026-10-01T08:00:00Z',
  updated_at: '2026-11-02T09:30:00Z',
  revision_count: 3,
  body_html: null,
  record: {
    id: 's1',
    kind: 'session',
    title: 'Peer exchange in Århus',
    rev: '3-abcdef0123456789',
    tags: ['housing', 'pilot'],
    session_kind: 'peer_exchange',
    status: 'confirmed',
    starts_at: '2026-12-03T09:00',
    timezone: 'Europe/Copenhagen',
    host_org: 'org-dk',
    participants: ['c1', 'c2'],
    consent: { basis: 'consent', share_with_partners: true },
    objectives: 'Learn from Łódź and Plzeň',
    agenda: [
      { title: 'Welcome', minutes: 15, who: 'Søren' },
      { title: 'Site visit', minutes: 90 },
    ],
    body: '# Notes\n\n- first [[Housing first]]',
  },
  links: [
    { id: 'org-dk', kind: 'org', title: 'Social Innovation Academy', rel: 'host_org' },
    { id: 'c1', kind: 'contact', title: 'Řehoř Čapek', rel: 'participants' },
    { id: 'q1', kind: 'question', title: 'Housing first', rel: 'wiki' },
  ],
  backlinks: [{ id: 'n9', kind: 'note', title: 'Workshop notes Århus', rel: 'session_id' }],
  schedule: [
    { index: 0, title: 'Welcome', starts_at: '2026-12-03T09:00', ends_at: '2026-12-03T09:15', minutes: 15, day: 1 },
    { index: 1, title: 'Site visit', starts_at: '2026-12-03T09:15', ends_at: '2026-12-03T10:45', minutes: 90, day: 1 },
  ],
};

describe('RecordDetail', () => {
  it('renders header, fields, schedule, body and links', async () => {
    const api = fakeApi({ get: async () => SESSION });
    render(RecordDetail, { props: { id: 's1' }, ...withApi(api) });

    expect((await screen.findByTestId('detail-title')).textContent).toBe('Peer exchange in Århus');
    expect(api.records.get).toHaveBeenCalledWith('s1');
    const root = screen.getByTestId('record-detail');
    expect(root.textContent).toContain('Session');
    expect(root.textContent).toContain('3-abcdef0123456789');
    expect(screen.getByTestId('detail-tags').textContent).toContain('housing');

    const fields = screen.getByTestId('detail-fields');
    expect(fields.textContent).toContain('Session kind');
    expect(fields.textContent).toContain('Peer exchange');
    expect(fields.textContent).toContain('Confirmed');
    expect(fields.textContent).toContain('Learn from Łódź and Plzeň');
    expect(fields.querySelector('[data-field="starts_at"]')?.textContent).toBe('2026-12-03 09:00');
    expect(fields.textContent).not.toContain('abcdef'); // rev stays in the header only
    // ids resolved to the linked records' titles
    expect(within(fields).getByText('Social Innovation Academy').getAttribute('href')).toBe('#/kind/org/org-dk');
    expect(within(fields).getByText('Řehoř Čapek').getAttribute('href')).toBe('#/kind/contact/c1');
    expect(within(fields).getByText('c2')).toBeTruthy();
    // nested object as a definition list
    expect(fields.querySelector('[data-field="consent"] dl')?.textContent).toContain('Share with partners');
    expect(fields.querySelector('[data-field="consent"]')?.textContent).toContain('Yes');
    // agenda is shown as the schedule, not twice
    expect(fields.querySelector('[data-field="agenda"]')).toBeNull();

    const schedule = screen.getByTestId('schedule');
    const blocks = within(schedule).getAllByTestId('schedule-block');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]?.textContent).toContain('09:00–09:15');
    expect(blocks[0]?.textContent).toContain('Welcome');
    expect(blocks[0]?.textContent).toContain('Søren');
    expect(blocks[1]?.textContent).toContain('09:15–10:45');
    expect(blocks[1]?.textContent).toContain('90');

    expect(screen.getByTestId('detail-body').textContent).toBe('# Notes\n\n- first [[Housing first]]');

    const backlinks = screen.getAllByTestId('backlink');
    expect(backlinks).toHaveLength(1);
    expect(backlinks[0]?.getAttribute('href')).toBe('#/kind/note/n9');
    expect(backlinks[0]?.textContent).toContain('Workshop notes Århus');
    expect(backlinks[0]?.textContent).toContain('Session');
    const links = screen.getAllByTestId('link');
    expect(links.map((a) => a.getAttribute('href'))).toContain('#/kind/question/q1');
    expect(links.find((a) => a.dataset.id === 'q1')?.textContent).toContain('wiki link');
  });

  it('shows a missing record as a readable error', async () => {
    const api = fakeApi();
    render(RecordDetail, { props: { id: 'gone' }, ...withApi(api) });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('No record gone (not_found)');
  });

  it('renders body_html and decides every click in it', async () => {
    const NOTE: Detail = {
      ...SESSION,
      id: 'n1',
      kind: 'note',
      title: 'Workshop',
      schedule: null,
      record: { id: 'n1', kind: 'note', title: 'Workshop', body: '# Day one' },
      body_html:
        '<h1>Day one</h1><ul><li><input disabled="" type="checkbox" checked="">done</li></ul>' +
        '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>' +
        '<p><a href="#/record/q%201" class="wiki" title="Housing first">Housing first</a> ' +
        '<a class="wiki missing" data-title="Nowhere">Nowhere</a> ' +
        '<a href="https://example.org/x" class="external" rel="noopener noreferrer">site</a> ' +
        '<a href="insisst-attachment://localhost/' + 'a'.repeat(64) + '" class="attachment">file</a></p>' +
        '<img src="insisst-attachment://localhost/' + 'b'.repeat(64) + '" alt="board">',
    };
    const api = fakeApi({ get: async () => NOTE });
    render(RecordDetail, { props: { id: 'n1' }, ...withApi(api) });
    const body = await screen.findByTestId('detail-body');
    expect(body.querySelector('h1')?.textContent).toBe('Day one');
    expect(body.querySelector('table td')?.textContent).toBe('1');
    expect(body.querySelector<HTMLInputElement>('input[type=checkbox]')?.checked).toBe(true);
    expect(body.querySelector('img')?.getAttribute('src')).toContain('insisst-attachment://localhost/');

    // The missing wiki link explains itself and goes nowhere.
    const missing = within(body).getByText('Nowhere');
    await waitFor(() => expect(missing.getAttribute('title')).toBe('No record titled “Nowhere”'));
    expect(await fireEvent.click(missing)).toBe(false);

    // An external link: the system browser, only on click, and not inside the window.
    const external = within(body).getByText('site');
    expect(api.links.openExternal).not.toHaveBeenCalled();
    expect(await fireEvent.click(external)).toBe(false);
    expect(api.links.openExternal).toHaveBeenCalledWith('https://example.org/x');

    // Any other link: nothing.
    expect(await fireEvent.click(within(body).getByText('file'))).toBe(false);
    expect(api.links.openExternal).toHaveBeenCalledTimes(1);

    // A wiki link: the record, in the app.
    expect(await fireEvent.click(within(body).getByText('Housing first'))).toBe(false);
    expect(router.route).toEqual({ name: 'record', id: 'q 1' });
    expect(window.location.hash).toBe('#/record/q%201');
  });

  it('shows why an external link did not open', async () => {
    const api = fakeApi({
      get: async () => ({
        ...SESSION,
        body_html: '<p><a href="mailto:a@example.org" class="external">mail</a></p>',
      }),
      openExternal: async () => {
        throw { code: 'open_failed', message: 'no browser' };
      },
    });
    render(RecordDetail, { props: { id: 's1' }, ...withApi(api) });
    await fireEvent.click(within(await screen.findByTestId('detail-body')).getByText('mail'));
    expect((await screen.findByRole('alert')).textContent).toContain('no browser');
  });
});
