import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ForgetPlanView } from '../../lib/bindings/ForgetPlanView';
import { fakeApi, withApi } from '../../test/fakeApi';
import ForgetDialog from './ForgetDialog.svelte';

const PLAN: ForgetPlanView = {
  id: 'c1',
  title: 'Jan Novák',
  revisions: 3,
  links_cut: [{ id: 's1', kind: 'session', title: 'Peer exchange Plzeň', detail: 'participants' }],
  notes_mentioning: [
    { id: 'n1', kind: 'note', title: 'Notes from Plzeň', detail: null },
    { id: 'n2', kind: 'note', title: 'Follow-up calls', detail: null },
  ],
  attachments: [],
  attachments_kept: [],
  already_erased: false,
};

describe('ForgetDialog', () => {
  it('shows what will happen, lists the notes that mention them, and needs the name typed', async () => {
    const api = fakeApi({ privacy: { forgetPlan: async () => PLAN } });
    const forgotten: string[] = [];
    render(ForgetDialog, {
      ...withApi(api),
      props: { id: 'c1', onforgotten: (d: { id: string }) => forgotten.push(d.id), onclose: () => {} },
    });
    const plan = await screen.findByTestId('forget-plan');
    expect(plan.textContent).toContain('3 versions of the contact are emptied');
    expect(plan.textContent).toContain('Peer exchange Plzeň');
    expect(screen.getByTestId('forget-mentions').textContent).toContain('2 notes mention');
    expect(screen.getByTestId('forget-mentions').textContent).toContain('Follow-up calls');
    const yes = screen.getByTestId('forget-yes') as HTMLButtonElement;
    expect(yes.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('forget-name'), { target: { value: 'Jan Novak' } });
    expect(yes.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('forget-name'), { target: { value: 'Jan Novák' } });
    expect(yes.disabled).toBe(false);
    await fireEvent.click(yes);
    await waitFor(() => expect(forgotten).toEqual(['c1']));
    expect(api.privacy.forget).toHaveBeenCalledWith('c1', 'Jan Novák');
  });

  it('says why when the person cannot be forgotten', async () => {
    const api = fakeApi({
      privacy: {
        forgetPlan: async () => {
          throw { code: 'invalid', message: 'n1 is a note; only contacts (people) can be forgotten' };
        },
      },
    });
    render(ForgetDialog, { ...withApi(api), props: { id: 'n1', onforgotten: () => {}, onclose: () => {} } });
    await waitFor(() => expect(document.body.textContent).toContain('only contacts (people) can be forgotten'));
  });
});
