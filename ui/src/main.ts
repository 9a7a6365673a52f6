import './lib/fatalError';
import { getCurrentWindow } from '@tauri-apps/api/window';
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { createTauriApi } from './lib/api';
import { flushAll } from './lib/autosave';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

// Closing the window waits (a few seconds at most) for the notes being written to be saved;
// what still is not is in the draft journal and offered back on the next start.
const CLOSE_GRACE_MS = 3_000;
void getCurrentWindow().onCloseRequested(async () => {
  await Promise.race([flushAll(), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS))]);
});

export default mount(App, { target, props: { api: createTauriApi() } });
