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
    rollupOptions: {
      output: {
        // React, the router and the GraphQL client change with an upgrade, not with each release of the
        // console: in a chunk of their own, browsers keep them across releases (hashed, cached immutably).
        manualChunks: { vendor: ['react', 'react-dom', 'react-dom/client', 'react-router', 'urql'] },
      },
    },
  },
});
