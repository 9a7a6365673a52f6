import { mount } from 'svelte';
import '../app.css';
import App from '../App.svelte';
import { createMemoryApi } from './memoryApi';

const params = new URLSearchParams(window.location.search);
const target = document.getElementById('app');
if (!target) throw new Error('#app is missing');

export default mount(App, {
  target,
  props: { api: createMemoryApi({ ready: !params.has('fresh'), notes: Number(params.get('notes') ?? 100_000) }) },
});
