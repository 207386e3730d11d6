import { defineConfig } from 'vite';

// A static site: relative asset paths, so dist/ can be served from any path or opened from a
// file server without configuration.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    target: 'es2022',
    // @polkadot/api is one large module graph; a single chunk keeps the page one request.
    chunkSizeWarningLimit: 2048,
  },
});
