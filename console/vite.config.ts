import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by Keygate at /console; hashed files land in dist/assets (cached immutably there).
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline <script> or module-preload polyfill: the CSP allows only the console's own files.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
});
