import { defineConfig } from 'vitest/config';

// Each file starts its own server process; files run in parallel forks (2 cores: at most 2 at once).
export default defineConfig({
  test: {
    include: ['**/*.spec.ts'],
    exclude: ['node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
