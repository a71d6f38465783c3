import { defineConfig } from 'vitest/config';

// Browser tests: the real Go binary serving the built UI, driven in
// Debian's chromium through playwright-core. `npm run build` must run first
// (the Makefile's test-ui target does), since the binary embeds dist/.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/globalSetup.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
