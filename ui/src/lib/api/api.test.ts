import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { createTauriApi, errorMessage, toAppError } from './index';

afterEach(() => clearMocks());

describe('Tauri api', () => {
  it('calls the commands with their argument shapes', async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'records_list') return { records: [], total: 0, offset: 0 };
      return null;
    });
    const api = createTauriApi();
    await api.workspace.status();
    await api.workspace.partners();
    await api.workspace.setup({ member: 'M', organisation: 'THL', demo_records: null });
    await api.records.list('note', 200, 200);
    await api.records.get('id-1');
    await api.search.query({ query: 'Århus tag:youth', as_you_type: true, kind: null, limit: null });
    expect(calls.map(([cmd]) => cmd)).toEqual([
      'workspace_status',
      'workspace_partners',
      'workspace_setup',
      'records_list',
      'record_get',
      'search_query',
    ]);
    expect(calls[2]?.[1]).toEqual({ request: { member: 'M', organisation: 'THL', demo_records: null } });
    expect(calls[3]?.[1]).toEqual({ kind: 'note', offset: 200, limit: 200 });
    expect(calls[4]?.[1]).toEqual({ id: 'id-1' });
    expect(calls[5]?.[1]).toEqual({
      request: { query: 'Århus tag:youth', as_you_type: true, kind: null, limit: null },
    });
  });

  it('rejects with an AppError', async () => {
    mockIPC(() => {
      throw { code: 'not_found', message: 'No record x' };
    });
    await expect(createTauriApi().records.get('x')).rejects.toEqual({
      code: 'not_found',
      message: 'No record x',
    });
  });
});

describe('errors', () => {
  it('normalises anything into a readable message', () => {
    expect(errorMessage({ code: 'not_found', message: 'No record x' })).toBe('No record x (not_found)');
    expect(errorMessage('command records_lst not found')).toBe('command records_lst not found');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage({ weird: true })).toBe('An unexpected error occurred.');
    expect(toAppError(42)).toEqual({ code: 'unknown', message: 'An unexpected error occurred.' });
  });
});
