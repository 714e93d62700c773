import * as os from 'os';
import * as path from 'path';

// Where the test server listens and keeps its data; scripts/test.sh sets both.
export const port = Number(process.env.E2E_PORT ?? 3100);
export const dbFile = process.env.E2E_DATABASE_FILE ?? path.join(os.tmpdir(), `crm-e2e-${port}.db`);
export const databaseUrl = `sqlite:${dbFile}`;
export const root = path.resolve(__dirname, '..');

// The build users run: `scripts/test.sh` builds the release site exactly as
// `scripts/run.sh` does (wasm optimised by wasm-opt), and every test runs against it.
export const serverBinary = path.join(root, 'target/release/server');
