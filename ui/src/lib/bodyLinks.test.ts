import { describe, expect, it, vi } from 'vitest';
import { handleBodyClick } from './bodyLinks';

function body(html: string): HTMLElement {
  const root = document.createElement('div');
  root.innerHTML = html;
  document.body.append(root);
  return root;
}

/** Clicks `target` inside `root` with the handler on `root`; returns its outcome and the event. */
function click(root: HTMLElement, target: Element) {
  const actions = { navigate: vi.fn(), openExternal: vi.fn() };
  let outcome = '';
  const listener = (event: MouseEvent) => {
    outcome = handleBodyClick(event, actions);
  };
  root.addEventListener('click', listener);
  const event = new MouseEvent('click', { bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  root.removeEventListener('click', listener);
  return { outcome, prevented: event.defaultPrevented, ...actions };
}

describe('handleBodyClick', () => {
  it('routes wiki links in the app and external links to the browser, and blocks the rest', () => {
    const root = body(
      '<p><a href="#/record/r1" class="wiki"><em>Housing</em></a>' +
        '<a class="wiki missing" data-title="Nowhere">Nowhere</a>' +
        '<a href="https://example.org" class="external">web</a>' +
        '<a href="javascript:alert(1)" class="external">evil</a>' +
        '<a href="insisst-attachment://localhost/00" class="attachment">file</a>' +
        '<sup class="footnote-ref"><a href="#user-content-fn-1">1</a></sup>' +
        '<span>text</span></p><div class="footnote" id="user-content-fn-1">note</div>',
    );
    const [wiki, missing, web, evil, file, fn] = Array.from(root.querySelectorAll('a'));

    const w = click(root, wiki!.querySelector('em')!);
    expect(w).toMatchObject({ outcome: 'record', prevented: true });
    expect(w.navigate).toHaveBeenCalledWith('#/record/r1');

    const m = click(root, missing!);
    expect(m).toMatchObject({ outcome: 'missing', prevented: true });
    expect(m.navigate).not.toHaveBeenCalled();

    const x = click(root, web!);
    expect(x).toMatchObject({ outcome: 'external', prevented: true });
    expect(x.openExternal).toHaveBeenCalledWith('https://example.org');

    for (const a of [evil!, file!]) {
      const r = click(root, a);
      expect(r).toMatchObject({ outcome: 'blocked', prevented: true });
      expect(r.openExternal).not.toHaveBeenCalled();
      expect(r.navigate).not.toHaveBeenCalled();
    }

    const scroll = vi.fn();
    Element.prototype.scrollIntoView = scroll;
    expect(click(root, fn!)).toMatchObject({ outcome: 'footnote', prevented: true });
    expect(scroll).toHaveBeenCalled();

    expect(click(root, root.querySelector('span')!)).toMatchObject({ outcome: 'none', prevented: false });
    root.remove();
  });
});
