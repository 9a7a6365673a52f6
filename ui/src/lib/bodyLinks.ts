/**
 * Clicks inside a rendered body (the HTML insisst-core's `markdown` module makes; see its
 * module docs for what links it contains). One listener on the container decides for every
 * anchor, so nothing in the body navigates or opens anything by itself:
 * - `a.wiki[href^="#/record/"]`: the record, in the app (the `#/record/<id>` route);
 * - `a.wiki.missing`: nothing (its tooltip says no record has that title);
 * - `a.external`: the system browser, through `open_external` (http(s)/mailto only);
 * - any other anchor: nothing (footnote anchors scroll to their target within the body).
 */
import { RECORD_PREFIX } from './router.svelte';

export interface BodyLinkActions {
  /** Go to an in-app `#/record/<id>` href. */
  navigate(href: string): void;
  /** Open an external URL in the system browser. */
  openExternal(url: string): void;
}

/** What a click on `target` inside a rendered body did, for tests and callers. */
export type BodyLinkOutcome = 'record' | 'external' | 'missing' | 'footnote' | 'blocked' | 'none';

export function handleBodyClick(event: MouseEvent, actions: BodyLinkActions): BodyLinkOutcome {
  const target = event.target;
  if (!(target instanceof Element)) return 'none';
  const anchor = target.closest('a');
  if (!anchor || !(event.currentTarget instanceof Element) || !event.currentTarget.contains(anchor)) return 'none';
  event.preventDefault();
  const href = anchor.getAttribute('href') ?? '';
  if (anchor.classList.contains('wiki')) {
    if (anchor.classList.contains('missing') || !href.startsWith(RECORD_PREFIX)) return 'missing';
    actions.navigate(href);
    return 'record';
  }
  if (anchor.classList.contains('external') && /^(https?:\/\/|mailto:)/i.test(href)) {
    actions.openExternal(href);
    return 'external';
  }
  if (href.startsWith('#user-content-')) {
    const id = href.slice(1);
    const root = event.currentTarget;
    const found = Array.from(root.querySelectorAll('[id]')).find((el) => el.id === id);
    found?.scrollIntoView({ block: 'center' });
    return 'footnote';
  }
  return 'blocked';
}
