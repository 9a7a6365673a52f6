/**
 * The monitoring dashboard's charts, from the figures `monitoring_figures` returns: for each,
 * its title, its data as a table (what CSV export writes) and its drawing (Observable Plot,
 * SVG). Every chart labels its own series (cells and bars carry their numbers, line charts
 * a legend drawn in the SVG), so the SVG alone is the whole chart: no HTML legend to lose on
 * export.
 */
import * as Plot from '@observablehq/plot';
import type { MonitoringFigures } from './bindings/MonitoringFigures';
import { hasMessage, humanise, t, translate, valueLabel } from './i18n';

export interface ChartSpec {
  id: 'sessions' | 'sectors' | 'countries' | 'agenda' | 'scores' | 'experts';
  title: string;
  /** CSV columns, in order; `rows` holds one object per line. */
  columns: string[];
  rows: Record<string, string | number | null>[];
  /** Draws the chart `width` pixels wide into `document`; null when there is nothing to draw. */
  draw(document: Document, width: number): SVGSVGElement | HTMLElement | null;
}

/** Colours that read on both themes (the status colours of the agenda board). */
const STATUS_COLOURS: Record<string, string> = {
  open: '#3b82f6',
  provisional: '#d97706',
  resolved: '#16a34a',
  dropped: '#94a3b8',
  persistent: '#dc2626',
};

/** The evaluation items' colours, in the order of the items (fixed items first). */
const ITEM_COLOURS = ['#2563eb', '#16a34a', '#d97706', '#7c3aed', '#dc2626', '#0d9488', '#db2777', '#64748b'];

/**
 * A legend drawn inside the SVG, in the right margin: one coloured line of text per series,
 * top down (labels at the lines' ends would overlap where the lines meet).
 */
function legend(entries: { label: string; colour: string }[]): Plot.Markish[] {
  return entries.map((e, i) =>
    Plot.text([e.label], {
      text: (d: string) => `● ${d}`,
      fill: e.colour,
      frameAnchor: 'top-right',
      textAnchor: 'start',
      dx: 14,
      dy: 4 + i * 16,
      fontWeight: 600,
    }),
  );
}

/** Room on the left for the longest of `labels` (about 7 px a character at 12 px). */
function leftFor(labels: readonly string[]): number {
  return Math.min(260, Math.max(60, 16 + 7 * Math.max(0, ...labels.map((l) => l.length))));
}

function itemLabel(item: string): string {
  const key = `evaluation.item.${item}`;
  return hasMessage(key) ? translate(key) : humanise(item);
}

const base = (document: Document, width: number) => ({
  document,
  width,
  marginLeft: 120,
  marginRight: 120,
  style: { fontSize: '12px', background: 'transparent' },
});

/** The dashboard's six charts, in the order the screen shows them. */
export function charts(m: MonitoringFigures): ChartSpec[] {
  // "THL — Finnish Institute for Health and Welfare": the short name before the dash fits an axis.
  const shortName = (name: string) => name.split(' — ')[0] || name;
  const sessions = m.sessions_held.map((c) => ({ partner: c.partner ? shortName(c.partner) : t('monitoring.noHost'), quarter: c.quarter, sessions: c.sessions }));
  const sectors = m.participants_by_sector.map((s) => ({
    sector: valueLabel(s.sector),
    headcount: s.headcount,
    contacts: s.contacts,
    total: s.total,
  }));
  const countries = m.participants_by_country.map((c) => ({ country: c.country, contacts: c.contacts }));
  const agendaRows = m.agenda_progress.map((p) => ({
    review_id: p.review_id,
    taken_at: p.taken_at,
    open: p.open,
    provisional: p.provisional,
    resolved: p.resolved,
    dropped: p.dropped,
    persistent: p.persistent,
  }));
  const agendaSeries = m.agenda_progress.flatMap((p) =>
    (['open', 'provisional', 'resolved', 'dropped', 'persistent'] as const).map((status) => ({
      date: new Date(p.taken_at),
      status,
      label: status === 'persistent' ? t('monitoring.persistent') : valueLabel(status),
      count: p[status],
    })),
  );
  const scoreItems = [...new Set(m.evaluation_scores.map((s) => s.item))];
  const scores = m.evaluation_scores.map((s) => ({ quarter: s.quarter, item: s.item, label: itemLabel(s.item), responses: s.responses, mean: s.mean }));
  const experts = [
    { role: t('monitoring.facilitators'), key: 'facilitators', people: m.experts.facilitators },
    { role: t('monitoring.participantsRole'), key: 'participants', people: m.experts.participants },
    { role: t('monitoring.distinct'), key: 'distinct', people: m.experts.distinct },
    { role: t('monitoring.external'), key: 'external', people: m.experts.external },
  ];

  return [
    {
      id: 'sessions',
      title: t('monitoring.sessionsHeld', { total: m.sessions_held_total }),
      columns: ['partner', 'quarter', 'sessions'],
      rows: sessions,
      draw: (document, width) =>
        sessions.length === 0
          ? null
          : Plot.plot({
              ...base(document, width),
              marginLeft: leftFor(sessions.map((s) => s.partner)),
              marginRight: 20,
              height: Math.max(120, 34 * new Set(sessions.map((s) => s.partner)).size + 80),
              // Quarters as `2026-Q3` side by side collide in a narrow card: turned.
              marginBottom: 56,
              x: { label: null, tickRotate: -40, domain: m.quarters.filter((q) => sessions.some((s) => s.quarter === q)) },
              y: { label: null },
              color: { scheme: 'blues', zero: true },
              marks: [
                Plot.cell(sessions, { x: 'quarter', y: 'partner', fill: 'sessions', inset: 1, rx: 3 }),
                Plot.text(sessions, { x: 'quarter', y: 'partner', text: 'sessions', fill: 'black', fontWeight: 600 }),
              ],
            }),
    },
    {
      id: 'sectors',
      title: t('monitoring.bySector'),
      columns: ['sector', 'headcount', 'contacts', 'total'],
      rows: sectors,
      draw: (document, width) =>
        sectors.every((s) => s.total === 0)
          ? null
          : Plot.plot({
              ...base(document, width),
              marginLeft: leftFor(sectors.map((s) => s.sector)),
              marginRight: 40,
              height: 34 * sectors.length + 50,
              x: { label: t('monitoring.people'), grid: true },
              y: { label: null, domain: sectors.map((s) => s.sector) },
              marks: [
                Plot.barX(sectors, { y: 'sector', x: 'total', fill: '#3b82f6' }),
                Plot.text(sectors, { y: 'sector', x: 'total', text: (d: { total: number }) => String(d.total), dx: 6, textAnchor: 'start', fill: 'currentColor' }),
                Plot.ruleX([0]),
              ],
            }),
    },
    {
      id: 'countries',
      title: t('monitoring.byCountry'),
      columns: ['country', 'contacts'],
      rows: countries,
      draw: (document, width) =>
        countries.length === 0
          ? null
          : Plot.plot({
              ...base(document, width),
              marginLeft: leftFor(countries.map((c) => c.country)),
              marginRight: 40,
              height: 26 * countries.length + 50,
              x: { label: t('monitoring.namedParticipants'), grid: true },
              y: { label: null, domain: countries.map((c) => c.country) },
              marks: [
                Plot.barX(countries, { y: 'country', x: 'contacts', fill: '#0d9488' }),
                Plot.text(countries, { y: 'country', x: 'contacts', text: (d: { contacts: number }) => String(d.contacts), dx: 6, textAnchor: 'start', fill: 'currentColor' }),
                Plot.ruleX([0]),
              ],
            }),
    },
    {
      id: 'agenda',
      title: t('monitoring.agenda', { threshold: m.persistence_threshold }),
      columns: ['review_id', 'taken_at', 'open', 'provisional', 'resolved', 'dropped', 'persistent'],
      rows: agendaRows,
      draw: (document, width) =>
        agendaRows.length === 0
          ? null
          : Plot.plot({
              ...base(document, width),
              marginLeft: 48,
              height: 280,
              x: { label: null, type: 'utc' },
              y: { label: t('monitoring.questions'), grid: true, zero: true },
              color: { domain: Object.keys(STATUS_COLOURS), range: Object.values(STATUS_COLOURS) },
              marks: [
                Plot.line(agendaSeries, { x: 'date', y: 'count', stroke: 'status', strokeWidth: 2, marker: 'circle' }),
                ...legend(
                  Object.entries(STATUS_COLOURS).map(([status, colour]) => ({
                    label: status === 'persistent' ? t('monitoring.persistent') : valueLabel(status),
                    colour,
                  })),
                ),
              ],
            }),
    },
    {
      id: 'scores',
      title: t('monitoring.scores'),
      columns: ['quarter', 'item', 'responses', 'mean'],
      rows: scores.map(({ quarter, item, responses, mean }) => ({ quarter, item, responses, mean })),
      draw: (document, width) =>
        scores.length === 0
          ? null
          : Plot.plot({
              ...base(document, width),
              marginLeft: 48,
              height: 280,
              x: { label: null, domain: m.quarters.filter((q) => scores.some((s) => s.quarter === q)) },
              y: { label: t('monitoring.mean'), domain: [1, 5], grid: true },
              color: { domain: scoreItems, range: scoreItems.map((_, i) => ITEM_COLOURS[i % ITEM_COLOURS.length]!) },
              marks: [
                Plot.line(scores, { x: 'quarter', y: 'mean', z: 'item', stroke: 'item', strokeWidth: 2, marker: 'circle' }),
                ...legend(scoreItems.map((item, i) => ({ label: itemLabel(item), colour: ITEM_COLOURS[i % ITEM_COLOURS.length]! }))),
              ],
            }),
    },
    {
      id: 'experts',
      title: t('monitoring.experts'),
      columns: ['key', 'people'],
      rows: experts.map(({ key, people }) => ({ key, people })),
      draw: (document, width) =>
        Plot.plot({
          ...base(document, width),
          marginLeft: leftFor(experts.map((e) => e.role)),
              marginRight: 40,
              height: 34 * experts.length + 50,
          x: { label: t('monitoring.people'), grid: true },
          y: { label: null, domain: experts.map((e) => e.role) },
          marks: [
            Plot.barX(experts, { y: 'role', x: 'people', fill: '#7c3aed' }),
            Plot.text(experts, { y: 'role', x: 'people', text: (d: { people: number }) => String(d.people), dx: 6, textAnchor: 'start', fill: 'currentColor' }),
            Plot.ruleX([0]),
          ],
        }),
    },
  ];
}

/** The `<svg>` of a drawn chart (Plot returns a `<figure>` around it when it adds a title). */
export function chartSvg(drawn: Element): SVGSVGElement | null {
  if (drawn instanceof SVGSVGElement || drawn.tagName.toLowerCase() === 'svg') return drawn as SVGSVGElement;
  return drawn.querySelector('svg');
}

/**
 * A standalone SVG document of `svg`: namespaces declared, `currentColor` fixed to `color`
 * (the theme's text colour, which a file opened elsewhere does not inherit) and a
 * `background` behind everything.
 */
export function standaloneSvg(svg: SVGSVGElement, color: string, background: string): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  copy.setAttribute('color', color);
  copy.style.color = color;
  copy.style.background = background;
  const ns = 'http://www.w3.org/2000/svg';
  const rect = copy.ownerDocument.createElementNS(ns, 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', background);
  copy.insertBefore(rect, copy.firstChild);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
}
