import { defineConfig } from 'vitest/config';

// Each file starts its own server process; files run in parallel forks (2 cores: at most 2 at once).
export default defineConfig({
  test: {
    include: ['**/*.spec.ts'],
    // admin/: Playwright's own runner drives the browser suite (admin/playwright.config.ts).
    exclude: ['node_modules/**', 'admin/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
