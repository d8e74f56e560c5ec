import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Root } from './Root';
import './styles.css';

// Each page's code is a hashed file fetched on first visit. After Keygate is upgraded under an open
// console, those of the old build are gone: a reload fetches the new build's instead of failing
// (Vite raises this event when a lazily loaded file cannot be fetched). Once: if the file is
// still missing right after a reload, the page says so (PageLoadError) rather than reloading
// for ever. The mark is a time, nothing secret.
const RELOADED_AT = 'keygate.console.reloadedForMissingCode';
window.addEventListener('vite:preloadError', () => {
  if (Date.now() - Number(sessionStorage.getItem(RELOADED_AT) ?? 0) < 10_000) return;
  sessionStorage.setItem(RELOADED_AT, String(Date.now()));
  window.location.reload();
});

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
