/**
 * The markdown editor of every body: CodeMirror 6 with markdown highlighting, soft wrapping,
 * undo history, and `[[` completion of record titles (a wiki link is written by title, as
 * the core resolves it). Styled by the app's theme tokens, so light and dark follow.
 */
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  type Completion,
  type CompletionContext,
  type CompletionResult,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { markdown } from '@codemirror/lang-markdown';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';

/** A record a `[[` link can name. */
export interface TitleOption {
  title: string;
  /** Shown beside the title: the record's kind, in the UI's words. */
  detail: string;
}

/** Titles for what was typed after `[[` (possibly nothing yet). */
export type TitleLookup = (typed: string) => Promise<TitleOption[]>;

/** What follows `[[` on the cursor's line, up to the cursor, while no `]]` closed it. */
const WIKI_OPEN = /\[\[[^\][|\n]*$/;

/** The completion source of `[[`: titles from `lookup`, applied as `Title]]`. */
export function wikiCompletion(lookup: TitleLookup) {
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const open = context.matchBefore(WIKI_OPEN);
    if (!open) return null;
    const typed = open.text.slice(2);
    const options = await lookup(typed);
    if (context.aborted) return null;
    return {
      from: open.from + 2,
      options: options.map(
        (o): Completion => ({
          label: o.title,
          detail: o.detail,
          apply: (view, _completion, from, to) => {
            // `]]` may already be there (typed, or closed by the editor): do not double it.
            const closed = view.state.sliceDoc(to, to + 2) === ']]';
            const insert = closed ? o.title : `${o.title}]]`;
            view.dispatch({
              changes: { from, to, insert },
              selection: { anchor: from + insert.length + (closed ? 2 : 0) },
            });
          },
        }),
      ),
      filter: false,
    };
  };
}

const theme = EditorView.theme({
  '&': {
    color: 'var(--text)',
    backgroundColor: 'var(--surface)',
    fontSize: 'var(--fs-sm)',
    height: '100%',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.6', overflow: 'auto' },
  '.cm-content': { padding: 'var(--space-3) 0', caretColor: 'var(--text)' },
  '.cm-line': { padding: '0 var(--space-3)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--accent-soft) !important',
  },
  '.cm-placeholder': { color: 'var(--text-faint)' },
  '.cm-tooltip': {
    border: '1px solid var(--border-strong)',
    backgroundColor: 'var(--surface-raised, var(--surface))',
    borderRadius: 'var(--radius)',
    boxShadow: 'var(--shadow, 0 4px 16px rgb(0 0 0 / 0.15))',
  },
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--font-sans)', maxHeight: '16rem' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li': { padding: '0.25rem 0.6rem' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    backgroundColor: 'var(--accent)',
    color: 'var(--accent-contrast, white)',
  },
  '.cm-completionDetail': { marginLeft: '0.75rem', fontStyle: 'normal', opacity: '0.7' },
});

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  /** Called with the whole text after every change. */
  onchange: (text: string) => void;
  lookup?: TitleLookup;
  /** The accessible name and test id of the editable area. */
  label: string;
  testId: string;
  placeholderText?: string;
}

export function createMarkdownEditor(options: EditorOptions): EditorView {
  const extensions = [
    history(),
    closeBrackets(),
    markdown(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    EditorView.lineWrapping,
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
    EditorView.contentAttributes.of({
      'aria-label': options.label,
      'aria-multiline': 'true',
      'data-testid': options.testId,
      spellcheck: 'true',
    }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) options.onchange(update.state.doc.toString());
    }),
    theme,
  ];
  if (options.lookup) extensions.push(autocompletion({ override: [wikiCompletion(options.lookup)], icons: false }));
  if (options.placeholderText) extensions.push(placeholder(options.placeholderText));
  return new EditorView({
    parent: options.parent,
    state: EditorState.create({ doc: options.doc, extensions }),
  });
}

/** Replaces the editor's text when it differs (a template chosen, a draft restored). */
export function setText(view: EditorView, text: string): void {
  const current = view.state.doc.toString();
  if (current === text) return;
  view.dispatch({ changes: { from: 0, to: current.length, insert: text } });
}

/** Inserts `text` at the cursor (replacing the selection) and puts the cursor after it. */
export function insertAtCursor(view: EditorView, text: string): void {
  const { from, to } = view.state.selection.main;
  view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length } });
  view.focus();
}

/** Inserts `text` on a line of its own at the cursor: a line break before it unless the
 * cursor starts a line, one after it unless a line break follows. */
export function insertLine(view: EditorView, text: string): void {
  const { from, to } = view.state.selection.main;
  const before = from === 0 ? '\n' : view.state.sliceDoc(from - 1, from);
  const after = view.state.sliceDoc(to, to + 1);
  const insert = `${before === '\n' ? '' : '\n'}${text}${after === '\n' ? '' : '\n'}`;
  view.dispatch({ changes: { from, to, insert }, selection: { anchor: from + insert.length } });
  view.focus();
}
