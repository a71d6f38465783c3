import { defineConfig } from 'vitest/config';

// Unit tests: pure modules, run in Node.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
