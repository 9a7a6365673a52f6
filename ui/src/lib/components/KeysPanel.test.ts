import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { KnownKey } from '../bindings/KnownKey';
import { fakeApi, KEYS, withApi } from '../../test/fakeApi';
import KeysPanel from './KeysPanel.svelte';

describe('KeysPanel', () => {
  it('lists the known keys and removes one after confirming', async () => {
    let keys: KnownKey[] = [...KEYS];
    const api = fakeApi({
      exchange: {
        keys: async () => keys,
        removeKey: async (nodeId) => {
          keys = keys.filter((k) => k.node_id !== nodeId);
        },
      },
    });
    render(KeysPanel, withApi(api));
    const table = await screen.findByTestId('keys-list');
    const rows = within(table).getAllByTestId('key-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('Eline De Smet');
    expect(rows[0]?.textContent).toContain('SIF');
    expect(rows[0]?.textContent).toContain('a1b2 c3d4 e5f6 0718');
    expect(rows[1]?.textContent).toContain('Jiří Dvořák');

    const second = rows[1] as HTMLElement;
    await fireEvent.click(within(second).getByTestId('key-remove'));
    await fireEvent.click(within(second).getByTestId('key-remove-cancel'));
    expect(api.exchange.removeKey).not.toHaveBeenCalled();

    await fireEvent.click(within(second).getByTestId('key-remove'));
    expect(second.textContent).toContain('Remove this key?');
    await fireEvent.click(within(second).getByTestId('key-remove-confirm'));
    expect(api.exchange.removeKey).toHaveBeenCalledWith('node-cz');
    await waitFor(() => expect(screen.getAllByTestId('key-row')).toHaveLength(1));
    expect(screen.getByTestId('key-row').getAttribute('data-node')).toBe('node-sif');
  });

  it('explains the empty keyring', async () => {
    render(KeysPanel, withApi(fakeApi()));
    expect((await screen.findByTestId('keys-empty')).textContent).toContain('No keys yet');
  });
});
