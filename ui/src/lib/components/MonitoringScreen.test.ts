import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { SAMPLE_FIGURES } from '../../lib/learningFixtures';
import { parseHash } from '../../lib/router.svelte';
import { goTarget, NAV_MAIN } from '../../lib/nav';
import { fakeApi, withApi } from '../../test/fakeApi';
import MonitoringScreen from './MonitoringScreen.svelte';

describe('MonitoringScreen', () => {
  it('draws every chart of the figures as SVG', async () => {
    const api = fakeApi();
    render(MonitoringScreen, withApi(api));
    for (const id of ['sessions', 'sectors', 'countries', 'agenda', 'scores', 'experts']) {
      const card = await screen.findByTestId(`chart-${id}`);
      expect(within(card).getByTestId(`chart-${id}-plot`).querySelector('svg'), id).not.toBeNull();
    }
    expect(api.learning.monitoring).toHaveBeenCalledWith({ from: null, to: null, partner: null, persistence_threshold: 3 });
    expect(screen.getByTestId('chart-sessions').textContent).toContain('6 in all');
  });

  it('filters by period and partner', async () => {
    const api = fakeApi({
      learning: { monitoring: async (request) => ({ ...SAMPLE_FIGURES, partner: request.partner, partner_name: request.partner ? 'THL' : null }) },
    });
    render(MonitoringScreen, withApi(api));
    await screen.findByTestId('chart-sessions');
    const partner = screen.getByTestId('monitoring-partner') as HTMLSelectElement;
    await waitFor(() => expect(partner.options.length).toBeGreaterThan(1));
    await fireEvent.change(partner, { target: { value: 'p-fi' } });
    await fireEvent.change(screen.getByTestId('monitoring-from'), { target: { value: '2026-01-01' } });
    await waitFor(() =>
      expect(api.learning.monitoring).toHaveBeenLastCalledWith({ from: '2026-01-01', to: null, partner: 'p-fi', persistence_threshold: 3 }),
    );
    expect((await screen.findByTestId('monitoring-scope')).textContent).toContain('Hosted by THL');
    await fireEvent.click(screen.getByTestId('monitoring-clear'));
    await waitFor(() => expect(api.learning.monitoring).toHaveBeenLastCalledWith({ from: null, to: null, partner: null, persistence_threshold: 3 }));
  });

  it('exports a chart as CSV and as SVG through the save dialog', async () => {
    const api = fakeApi({ learning: { saveExport: async (name) => `/home/åsa/${name}` } });
    render(MonitoringScreen, withApi(api));
    await screen.findByTestId('chart-countries');
    await fireEvent.click(screen.getByTestId('chart-countries-csv'));
    await waitFor(() => expect(api.learning.saveExport).toHaveBeenCalledTimes(1));
    const [name, bytes] = (api.learning.saveExport as unknown as { mock: { calls: [string, Uint8Array][] } }).mock.calls[0]!;
    expect(name).toBe('participants-reached-per-country.csv');
    expect(new TextDecoder().decode(bytes)).toBe('country,contacts\r\nFI,5\r\nPL,3\r\nCZ,2\r\n');
    expect((await screen.findByRole('status')).textContent).toContain('/home/åsa/participants-reached-per-country.csv');

    await fireEvent.click(screen.getByTestId('chart-experts-svg'));
    await waitFor(() => expect(api.learning.saveExport).toHaveBeenCalledTimes(2));
    const [svgName, svgBytes] = (api.learning.saveExport as unknown as { mock: { calls: [string, Uint8Array][] } }).mock.calls[1]!;
    expect(svgName).toBe('experts-involved.svg');
    const svg = new TextDecoder().decode(svgBytes);
    expect(svg).toContain('<svg');
    expect(svg).toContain('Facilitators');
  });

  it('says when a chart has nothing to draw, and offers only CSV then', async () => {
    render(MonitoringScreen, withApi(fakeApi({ learning: { monitoring: async () => ({ ...SAMPLE_FIGURES, participants_by_country: [] }) } })));
    expect(await screen.findByTestId('chart-countries-empty')).toBeTruthy();
    expect((screen.getByTestId('chart-countries-svg') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('chart-countries-csv') as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows a refused period', async () => {
    render(MonitoringScreen, withApi(fakeApi({ learning: { monitoring: async () => Promise.reject({ code: 'invalid', message: 'the period ends (2026-01-01) before it starts (2026-03-01)' }) } })));
    expect((await screen.findByRole('alert')).textContent).toContain('before it starts');
  });

  it('is a route and a sidebar entry (g d)', () => {
    expect(parseHash('#/monitoring')).toEqual({ name: 'monitoring' });
    expect(NAV_MAIN.some((i) => i.id === 'monitoring' && i.href === '#/monitoring')).toBe(true);
    expect(goTarget('d')?.id).toBe('monitoring');
  });
});
