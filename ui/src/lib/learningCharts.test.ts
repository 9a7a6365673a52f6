import { describe, expect, it } from 'vitest';
import { toCsv } from './learning';
import { chartSvg, charts, standaloneSvg } from './learningCharts';
import { SAMPLE_FIGURES } from './learningFixtures';
import type { MonitoringFigures } from './bindings/MonitoringFigures';

function byId(m: MonitoringFigures, id: string) {
  const spec = charts(m).find((c) => c.id === id);
  if (!spec) throw new Error(`no chart ${id}`);
  return spec;
}

describe('the dashboard charts', () => {
  it('are the six figures of monitoring, in order', () => {
    expect(charts(SAMPLE_FIGURES).map((c) => c.id)).toEqual(['sessions', 'sectors', 'countries', 'agenda', 'scores', 'experts']);
    expect(byId(SAMPLE_FIGURES, 'sessions').title).toContain('6');
    expect(byId(SAMPLE_FIGURES, 'agenda').title).toContain('3');
  });

  it('export as CSV exactly the figures they draw', () => {
    expect(toCsv(byId(SAMPLE_FIGURES, 'sessions').columns, byId(SAMPLE_FIGURES, 'sessions').rows)).toBe(
      'partner,quarter,sessions\r\nShipyard Foundation,2026-Q2,1\r\nTHL,2026-Q1,2\r\nTHL,2026-Q3,3\r\n',
    );
    const sectors = byId(SAMPLE_FIGURES, 'sectors');
    expect(sectors.rows.map((r) => r.total)).toEqual([14, 8, 1, 3, 5]);
    expect(sectors.rows[1]).toEqual({ sector: 'Non-profit', headcount: 6, contacts: 2, total: 8 });
    const agenda = byId(SAMPLE_FIGURES, 'agenda');
    expect(agenda.rows[2]).toMatchObject({ review_id: 'rev-3', open: 2, resolved: 1, dropped: 1, persistent: 1 });
    expect(byId(SAMPLE_FIGURES, 'scores').rows).toHaveLength(4);
    expect(byId(SAMPLE_FIGURES, 'experts').rows).toEqual([
      { key: 'facilitators', people: 4 },
      { key: 'participants', people: 11 },
      { key: 'distinct', people: 13 },
      { key: 'external', people: 5 },
    ]);
  });

  it('draw as SVG, labelling their own series (no HTML legend)', () => {
    for (const spec of charts(SAMPLE_FIGURES)) {
      const drawn = spec.draw(document, 640);
      expect(drawn, spec.id).not.toBeNull();
      const svg = chartSvg(drawn!);
      expect(svg?.tagName.toLowerCase(), spec.id).toBe('svg');
      expect(drawn!.querySelector('div'), spec.id).toBeNull();
    }
    const agenda = chartSvg(byId(SAMPLE_FIGURES, 'agenda').draw(document, 640)!)!;
    const labels = [...agenda.querySelectorAll('text')].map((t) => t.textContent);
    expect(labels).toEqual(expect.arrayContaining(['● Open', '● Resolved', '● Persistent']));
    const scores = chartSvg(byId(SAMPLE_FIGURES, 'scores').draw(document, 640)!)!;
    expect([...scores.querySelectorAll('text')].map((t) => t.textContent)).toEqual(expect.arrayContaining(['● Relevance', '● Overall']));
    const sessions = chartSvg(byId(SAMPLE_FIGURES, 'sessions').draw(document, 640)!)!;
    expect([...sessions.querySelectorAll('text')].map((t) => t.textContent)).toEqual(expect.arrayContaining(['THL', '2026-Q3', '3']));
  });

  it('draw nothing when there is nothing to count', () => {
    const empty: MonitoringFigures = {
      ...SAMPLE_FIGURES,
      sessions_held_total: 0,
      sessions_held: [],
      participants_by_sector: SAMPLE_FIGURES.participants_by_sector.map((s) => ({ ...s, headcount: 0, contacts: 0, total: 0 })),
      participants_by_country: [],
      agenda_progress: [],
      evaluation_scores: [],
    };
    for (const id of ['sessions', 'sectors', 'countries', 'agenda', 'scores']) expect(byId(empty, id).draw(document, 640), id).toBeNull();
  });

  it('export as a standalone SVG with its colours fixed and a background', () => {
    const svg = chartSvg(byId(SAMPLE_FIGURES, 'experts').draw(document, 480)!)!;
    const text = standaloneSvg(svg, 'rgb(20, 20, 20)', '#ffffff');
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')).toBe(true);
    expect(text).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(text).toContain('color="rgb(20, 20, 20)"');
    expect(text).toMatch(/<rect width="100%" height="100%" fill="#ffffff"/);
    expect(text).toContain('Facilitators');
    // The chart on screen is not touched.
    expect(svg.querySelector('rect[width="100%"]')).toBeNull();
  });
});
