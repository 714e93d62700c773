import { execFileSync } from 'child_process';
import { APIRequestContext, expect as baseExpect, Page, test as base } from '@playwright/test';
import { databaseUrl, dbFile, port, root, serverBinary } from '../env';

/** Every test fails on an uncaught error in any of its pages (a client that throws
 *  while starting or hydrating leaves a page that renders but never responds), and on
 *  anything the Content-Security-Policy blocked (the browser reports it on the console).
 *  The specs import `test` and `expect` from here, never from '@playwright/test'. */
export const test = base.extend<{ failOnPageError: void }>({
  failOnPageError: [
    async ({ context }, use) => {
      const errors: string[] = [];
      context.on('weberror', (e) => {
        const error = e.error();
        errors.push(`${e.page()?.url() ?? 'a page'}: ${error.stack ?? error.message}`);
      });
      context.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
          errors.push(`${message.page()?.url() ?? 'a page'}: ${message.text()}`);
        }
      });
      await use();
      baseExpect(errors, 'uncaught errors in the page, or resources the CSP blocked').toEqual([]);
    },
    { auto: true },
  ],
});
export const expect = baseExpect;

/** Runs the server binary's command line on the test database. */
export function server(...args: string[]): string {
  try {
    return execFileSync(serverBinary, args, {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, RUST_LOG: 'warn' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    // The command's own log says why it failed; the error alone says only that it did.
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`server ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** Rows of a read-only query on the test database, read independently of the app
 *  (Python's sqlite3 module), for checking what a filter should have matched. */
export function query(sql: string): unknown[][] {
  const script = 'import json, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(json.dumps(c.execute(sys.argv[2]).fetchall()))';
  return JSON.parse(execFileSync('python3', ['-c', script, dbFile, sql], { encoding: 'utf8' }));
}

/** The single number a query selects. */
export const scalar = (sql: string) => Number(query(sql)[0][0]);

/** Gives the demo account a fresh set of generated contacts. */
export function resetDemo(contacts = 500) {
  server('reset-demo', '--contacts', String(contacts));
}

export type AccountStats = {
  id: number;
  name: string;
  contacts: number;
  campaigns: number;
  areas: Record<string, number>;
};

/** What the database holds, per account, read by the server binary itself. */
export function stats(): AccountStats[] {
  return JSON.parse(server('stats')).accounts;
}

export function demo(): AccountStats {
  return stats()[0];
}

/** The demo's users (server/src/demo.rs; printed by the server at start-up). */
export type Person = { email: string; password: string; name: string };
export const ADMIN: Person = { email: 'admin@demo.test', password: 'demo-admin-pass', name: 'Ada Admin' };
export const USER: Person = { email: 'user@demo.test', password: 'demo-user-pass', name: 'Uma User' };
export const OTHER_ADMIN: Person = { email: 'admin@other.test', password: 'other-admin-pass', name: 'Otto Other' };

/** The app's origin. The server refuses state-changing requests from any other (and
 *  from none): a browser sends it on its own; calls made by a test must say it. */
export const ORIGIN = `http://127.0.0.1:${port}`;

/** Signs in through the sign-in call (the cookie lands in the page's browser context). */
export async function signIn(request: APIRequestContext, who: Person = ADMIN) {
  const res = await request.post('/api/login', {
    form: { email: who.email, password: who.password },
    headers: { Origin: ORIGIN },
    maxRedirects: 0,
  });
  expect(res.status(), await res.text()).toBeLessThan(400);
}

/** Signs in through the sign-in page, as a person would. */
export async function signInWithForm(page: Page, who: Person) {
  await page.goto('/login');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(page.getByRole('navigation', { name: 'Main' })).toContainText(who.name);
}

/** Opens a page (signed in as the demo admin unless already signed in) and waits
 *  until the app has hydrated (is interactive). */
export async function open(page: Page, url = '/contacts') {
  if (!(await page.context().cookies()).some((c) => c.name === 'crm_session')) {
    await signIn(page.request);
  }
  const response = await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  return response;
}

export const bodyRows = (page: Page) => page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('row');
export const summary = (page: Page) => page.getByRole('navigation', { name: 'Pagination' }).getByRole('status');

export const toolbar = (page: Page) => page.getByRole('toolbar', { name: 'Bulk actions' });
export const dialog = (page: Page) => page.getByRole('dialog');
export const headerBox = (page: Page) => page.getByRole('checkbox', { name: 'Select all on this page' });

/** The names of the contacts on the page, as their checkboxes announce them. */
export async function rowNames(page: Page): Promise<string[]> {
  await expect(bodyRows(page).first()).toBeVisible();
  const boxes = await bodyRows(page).getByRole('checkbox').all();
  const names: string[] = [];
  for (const box of boxes) names.push((await box.getAttribute('aria-label'))!.replace(/^Select /, ''));
  return names;
}

/** Names that only one row of the page has (the demo data has duplicate people). */
export async function uniqueNames(page: Page): Promise<string[]> {
  const names = await rowNames(page);
  return names.filter((n) => names.indexOf(n) === names.lastIndexOf(n));
}

export const rowBox = (page: Page, name: string) => page.getByRole('checkbox', { name: `Select ${name}`, exact: true });

export async function openDeleteDialog(page: Page) {
  await toolbar(page).getByRole('button', { name: 'Bulk actions' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page).getByRole('list', { name: /^Related records (deleted|moved) with them$/ })).toBeVisible();
}

/** A demo account of `n` contacts, all of them selected and confirmed for deletion. */
export async function deleteAllOf(page: Page, n: number) {
  resetDemo(n);
  await open(page);
  await headerBox(page).check();
  await page.getByRole('link', { name: `Select all ${n} contacts` }).click();
  await openDeleteDialog(page);
  await dialog(page).getByLabel(`Type ${n} to confirm`).fill(String(n));
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
}
