import { CompletionContext } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { createMarkdownEditor, insertLine, setText, wikiCompletion } from './markdownEditor';

function editor(doc: string) {
  const changes: string[] = [];
  const view = createMarkdownEditor({
    parent: document.createElement('div'),
    doc,
    label: 'Text',
    testId: 'edit-body',
    onchange: (text) => changes.push(text),
  });
  return { view, changes };
}

describe('markdown editor', () => {
  it('puts an inserted image on a line of its own and reports the change', () => {
    const { view, changes } = editor('Met the pilots.');
    view.dispatch({ selection: { anchor: 'Met the'.length } });
    insertLine(view, '![board](abc)');
    expect(view.state.doc.toString()).toBe('Met the\n![board](abc)\n pilots.');
    view.dispatch({ selection: { anchor: view.state.doc.length } });
    insertLine(view, '📎 slides.pdf');
    expect(view.state.doc.toString()).toBe('Met the\n![board](abc)\n pilots.\n📎 slides.pdf\n');
    expect(changes.at(-1)).toBe(view.state.doc.toString());
    setText(view, 'new');
    expect(view.state.doc.toString()).toBe('new');
    view.destroy();
  });

  it('completes [[ with titles and closes the link once', async () => {
    const source = wikiCompletion(async (typed) =>
      ['Peer exchange Tampere', 'Peer review'].filter((t) => t.toLowerCase().startsWith(typed.toLowerCase())).map((title) => ({ title, detail: 'Session' })),
    );
    const doc = 'See [[Peer ex';
    const state = EditorState.create({ doc, selection: { anchor: doc.length } });
    const result = await source(new CompletionContext(state, doc.length, false));
    expect(result?.from).toBe('See [['.length);
    expect(result?.options.map((o) => o.label)).toEqual(['Peer exchange Tampere']);
    expect(await source(new CompletionContext(EditorState.create({ doc: 'See [[done]] x' }), 14, false))).toBeNull();

    const { view } = editor('See [[Peer ex]] now');
    const apply = result!.options[0]!.apply as (v: typeof view, c: unknown, from: number, to: number) => void;
    apply(view, result!.options[0], 'See [['.length, 'See [[Peer ex'.length);
    expect(view.state.doc.toString()).toBe('See [[Peer exchange Tampere]] now');
    expect(view.state.selection.main.anchor).toBe('See [[Peer exchange Tampere]]'.length);
    view.destroy();
  });
});
