import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The Go server embeds dist/ (builder-ui/embed.go). During `npm run dev`
// the API is proxied to a server started with `make run` or `go run`.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': process.env.TANGRAM_URL ?? 'http://127.0.0.1:8080',
    },
  },
});
