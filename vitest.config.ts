import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: {
      // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its
      // legacy provider; without it, the second page of a listing answers 500.
      forks: { execArgv: ['--openssl-legacy-provider'] },
    },
    globalSetup: ['test/global-setup.ts'],
  },
});
