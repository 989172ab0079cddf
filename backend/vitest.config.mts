import { defineConfig } from 'vitest/config';
import swc from 'unplugin-swc';

// SWC, not esbuild: TypeORM and NestJS need decorator metadata.
export default defineConfig({
  test: {
    globals: true,
    pool: 'forks',
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
  oxc: false,
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2023',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
});
