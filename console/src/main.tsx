import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Root } from './Root';
import './styles.css';

// Each page's code is a hashed file fetched on first visit. After Keygate is upgraded under an open
// console, those of the old build are gone: a reload fetches the new build's instead of failing
// (Vite raises this event when a lazily loaded file cannot be fetched).
window.addEventListener('vite:preloadError', () => window.location.reload());

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
