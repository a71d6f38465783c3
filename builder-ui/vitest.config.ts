import { defineConfig } from 'vitest/config';

// Unit tests: pure modules, run in Node.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // Date presets and day ranges are computed in the browser's zone; the
    // tests fix it to the one the CRM's users are in.
    env: { TZ: 'Asia/Shanghai' },
  },
});
