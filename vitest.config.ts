import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'training/**/*.test.ts', 'scenario/**/*.test.ts', 'plugins/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts'],
    // CLI tests run the compiled binary; build it once so they never see a stale dist/.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
