import { defineConfig } from '@playwright/test';
import { databaseUrl, dbFile, port, root, serverBinary } from './env';

// The real server binary of the release build (`cargo leptos build --release`, as
// scripts/run.sh builds it) on a throw-away SQLite file;
// scripts/test.sh sets E2E_DATABASE_FILE inside its temporary directory.

export default defineConfig({
  testDir: './tests',
  // The tests share one server and one database.
  workers: 1,
  fullyParallel: false,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
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
  webServer: {
    command: `rm -f "${dbFile}" "${dbFile}-wal" "${dbFile}-shm" && exec "${serverBinary}" serve --demo`,
    cwd: root,
    url: `http://127.0.0.1:${port}/login`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: 'target/site',
      RUST_LOG: 'warn',
      // One contact per transaction: long deletes show progress and can be stopped.
      BULK_DELETE_CHUNK: '1',
    },
  },
});
