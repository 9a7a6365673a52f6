import { emit } from '@tauri-apps/api/event';
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
    expect(calls[3]?.[1]).toEqual({ kind: 'note', offset: 200, limit: 200, filters: null });
    expect(calls[4]?.[1]).toEqual({ id: 'id-1' });
    expect(calls[5]?.[1]).toEqual({
      request: { query: 'Århus tag:youth', as_you_type: true, kind: null, limit: null },
    });
  });

  it('calls the exchange commands with their argument shapes', async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'exchange_pick_file') return '/tmp/picked.insisst';
      if (cmd === 'conflicts_list' || cmd === 'keys_list') return [];
      return null;
    });
    const api = createTauriApi();
    const scope = {
      tag: 'youth',
      session: null,
      question: null,
      from: null,
      to: null,
      changed_since_last_to: null,
      for_org: 'p-be',
    };
    await api.exchange.exportBundle({ path: '/tmp/out.insisst', scope });
    await api.exchange.preview('/tmp/in.insisst');
    await api.exchange.importBundle('/tmp/in.insisst', true);
    await expect(api.exchange.cancel()).resolves.toBeUndefined();
    await expect(api.exchange.pickFile(true, 'insisst-2026-11-27.insisst')).resolves.toBe('/tmp/picked.insisst');
    await api.exchange.pickFile(false, null);
    await api.exchange.conflicts();
    await api.exchange.conflict('note-1');
    await api.exchange.resolve({ id: 'note-1', pick: '3-abc', content: null });
    await api.exchange.keys();
    await expect(api.exchange.removeKey('node-9')).resolves.toBeUndefined();
    expect(calls).toEqual([
      ['exchange_export', { request: { path: '/tmp/out.insisst', scope } }],
      ['exchange_preview', { path: '/tmp/in.insisst' }],
      ['exchange_import', { path: '/tmp/in.insisst', trustNewKey: true }],
      ['exchange_cancel', {}],
      ['exchange_pick_file', { save: true, suggestedName: 'insisst-2026-11-27.insisst' }],
      ['exchange_pick_file', { save: false, suggestedName: null }],
      ['conflicts_list', {}],
      ['conflict_get', { id: 'note-1' }],
      ['conflict_resolve', { resolution: { id: 'note-1', pick: '3-abc', content: null } }],
      ['keys_list', {}],
      ['keys_remove', { nodeId: 'node-9' }],
    ]);
  });

  it('follows exchange-progress events until unsubscribed', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const seen: unknown[] = [];
    const stop = await createTauriApi().exchange.onProgress((p) => seen.push(p));
    await emit('exchange-progress', { phase: 'export', done: 5, total: 10 });
    await emit('other-event', { phase: 'x', done: 0, total: 0 });
    stop();
    await emit('exchange-progress', { phase: 'export', done: 10, total: 10 });
    expect(seen).toEqual([{ phase: 'export', done: 5, total: 10 }]);
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
