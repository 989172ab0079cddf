import { defineConfig } from '@playwright/test';

/**
 * The admin in a real browser (Debian's Chromium, headless) against the real built product: build the
 * backend and the frontend first (`npm run build`), then `npx playwright test -c e2e/admin`.
 * One worker: the tests share one product (started once, see fixtures.ts) and the machine has 2 cores.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: '../../.test-artifacts/admin-e2e',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    permissions: ['clipboard-read', 'clipboard-write'],
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Without the networking switches Chromium keeps calling home, which floods a closed network with refused connections.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
