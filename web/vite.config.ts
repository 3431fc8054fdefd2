// The inbox is built into dist/web, which `lifeline start` serves at /. `npm run dev:web` serves it with hot reload
// and forwards the API and the live WebSocket to a Lifeline on 127.0.0.1:3000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, sourcemap: true },
  server: { host: '127.0.0.1', proxy: { '/api': { target: 'http://127.0.0.1:3000', ws: true } } },
});
