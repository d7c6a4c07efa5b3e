import { mount } from 'svelte';
import App from './app/App.svelte';
import './app/theme.css';

mount(App, { target: document.getElementById('app')! });

// Offline once loaded: a service worker caches what the site fetched (see public/sw.js).
// Registered relative to the page, so it works under any subpath.
if (import.meta.env.PROD && 'serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('Offline support unavailable:', e.message));
}
