/**
 * The last line of defence against a blank window: an error nothing else caught (a module that
 * failed to load, an exception while mounting) is shown as text with what to do, instead of
 * an empty page. Imported first by main.ts, so it is listening before anything else runs.
 */

function show(message: string): void {
  const target = document.getElementById('app') ?? document.body;
  // Only when the app did not render: a caught error inside a screen has its own banner.
  if (target.childElementCount > 0 && !target.querySelector('[data-fatal]')) return;
  const box = document.createElement('div');
  box.dataset.fatal = 'true';
  box.setAttribute('role', 'alert');
  box.style.cssText = 'max-width:40rem;margin:15vh auto;padding:1.5rem;font:15px/1.5 system-ui,sans-serif;border:1px solid #b42318;border-radius:8px;background:#fef3f2;color:#1d2939';
  const title = document.createElement('strong');
  title.textContent = 'Insisst could not start its window.';
  const text = document.createElement('p');
  text.textContent = 'Your workspace is not affected. Please restart the app; if this persists, report this message:';
  const detail = document.createElement('pre');
  detail.style.cssText = 'white-space:pre-wrap;overflow-wrap:anywhere';
  detail.textContent = message;
  box.append(title, text, detail);
  target.replaceChildren(box);
}

window.addEventListener('error', (event) => {
  show(`${event.message}${event.filename ? ` (${event.filename}:${event.lineno}:${event.colno})` : ''}`);
});
window.addEventListener('unhandledrejection', (event) => {
  const reason: unknown = event.reason;
  // Rejections the app handles are never unhandled; one that is, before the app rendered,
  // is the start failing.
  show(reason instanceof Error ? `${reason.name}: ${reason.message}` : JSON.stringify(reason));
});
