import { execFileSync } from 'child_process';
import * as path from 'path';
import { expect, Page } from '@playwright/test';
import { databaseUrl, root } from '../env';

/** Runs the server binary's command line on the test database. */
export function server(...args: string[]): string {
  return execFileSync(path.join(root, 'target/debug/server'), args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, RUST_LOG: 'warn' },
    encoding: 'utf8',
  });
}

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

/** Opens a page and waits until the app has hydrated (is interactive). */
export async function open(page: Page, url = '/contacts') {
  const response = await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  return response;
}

export const bodyRows = (page: Page) => page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('row');
export const summary = (page: Page) => page.getByRole('navigation', { name: 'Pagination' }).getByRole('status');
