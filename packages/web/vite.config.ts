import { defineConfig } from 'vite';

// No React plugin: Vite's own transform handles TSX with the automatic JSX runtime, and the
// dashboard needs no fast refresh to build. Each page is its own chunk (React.lazy), ECharts too.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: { proxy: { '/api': 'http://localhost:4680', '/health': 'http://localhost:4680' } },
});
