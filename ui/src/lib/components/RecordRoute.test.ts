import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { createdRecord, fakeApi, withApi } from '../../test/fakeApi';
import { router } from '../router.svelte';
import RecordRoute from './RecordRoute.svelte';

describe('RecordRoute', () => {
  it('opens a record by id in its kind’s view, in place of #/record/<id>', async () => {
    window.location.hash = '#/record/question-new';
    const api = fakeApi({ get: async () => createdRecord('question', { title: 'Housing first' }) });
    render(RecordRoute, { props: { id: 'question-new' }, ...withApi(api) });
    await waitFor(() => expect(router.route).toEqual({ name: 'kind', kind: 'question', id: 'question-new' }));
    expect(api.records.get).toHaveBeenCalledWith('question-new');
    expect(window.location.hash).toBe('#/kind/question/question-new');
  });

  it('says so when the record is not there', async () => {
    render(RecordRoute, { props: { id: 'gone' }, ...withApi(fakeApi()) });
    expect((await screen.findByRole('alert')).textContent).toContain('No record gone');
  });
});
