import * as os from 'os';
import * as path from 'path';

// Where the test server listens and keeps its data; scripts/test.sh sets both.
export const port = Number(process.env.E2E_PORT ?? 3100);
export const dbFile = process.env.E2E_DATABASE_FILE ?? path.join(os.tmpdir(), `crm-e2e-${port}.db`);
export const databaseUrl = `sqlite:${dbFile}`;
export const root = path.resolve(__dirname, '..');
