import { defineConfig } from 'vite';

// The console is served by the Nimbus server at `/` (from the jar's `console/` folder); its API is `/v1/`.
// `npm run dev` proxies `/v1` to a running server: NIMBUS_URL=http://127.0.0.1:8471 npm run dev
const target = process.env.NIMBUS_URL ?? 'http://127.0.0.1:8471';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    // changeOrigin stays false: the server refuses requests whose Origin is not the Host they name.
    proxy: { '/v1': { target, changeOrigin: false } },
  },
});
