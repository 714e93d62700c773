import { Page } from '@playwright/test';
import { ADMIN, bodyRows, headerBox, open, resetDemo, summary, expect, test } from './support';

// The demo account: 500 generated contacts, restored before each test.
const TOTAL = 500;
test.beforeEach(() => resetDemo(TOTAL));
const firstName = (page: Page) => bodyRows(page).first().getByRole('rowheader').innerText();

test('lists the account contacts, 50 a page, with the total', async ({ page }) => {
  await open(page);
  await expect(page.getByRole('heading', { name: 'Contacts' })).toBeVisible();
  await expect(page).toHaveTitle('Contacts · CRM');
  for (const name of ['Name', 'Email', 'Phone', 'Tags', 'Created', 'Last activity']) {
    await expect(page.getByRole('columnheader', { name })).toBeVisible();
  }
  await expect(bodyRows(page)).toHaveCount(50);
  await expect(summary(page)).toHaveText(`Showing 1–50 of ${TOTAL} contacts`);
  await expect(page.getByText('Previous')).toHaveAttribute('aria-disabled', 'true');
});

test('the page is rendered on the server and works without the wasm', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  // Signing in is a plain HTML form too.
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(bodyRows(page)).toHaveCount(50);
  // Ticking needs the wasm: without it the checkboxes say so by being disabled.
  await expect(headerBox(page)).toBeDisabled();
  // Plain HTML form and links: search and paging still work.
  await page.getByRole('searchbox', { name: 'Search contacts' }).fill('gmail');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=gmail/);
  await expect(summary(page)).toContainText('Showing 1–');
  await context.close();
});

test('search narrows the list, case-insensitively, and the URL keeps it', async ({ page }) => {
  await open(page);
  // Search for the email of the first contact that has one, typed in upper case.
  const emails = await page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('cell').allInnerTexts();
  const email = emails.find((t) => t.includes('@'))!;
  expect(email).toBeTruthy();
  const needle = email.trim().split('@')[0];
  const box = page.getByRole('searchbox', { name: 'Search contacts' });
  await box.fill(needle.toUpperCase());
  await box.press('Enter');
  await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(needle.toUpperCase())}`));
  await expect(summary(page)).not.toHaveText(`Showing 1–50 of ${TOTAL} contacts`);
  const count = await bodyRows(page).count();
  expect(count).toBeGreaterThanOrEqual(1);
  expect(count).toBeLessThan(50);
  for (const row of await bodyRows(page).all()) {
    expect((await row.innerText()).toLowerCase()).toContain(needle.toLowerCase());
  }
  // Reload keeps the search.
  await page.reload();
  await expect(box).toHaveValue(needle.toUpperCase());
  await expect(bodyRows(page)).toHaveCount(count);
});

test('a search without a match says so', async ({ page }) => {
  await open(page, '/contacts?q=zzz-nobody-here');
  await expect(page.getByText('No contacts match “zzz-nobody-here”.')).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});

test('next and previous page through; reload and back keep the page', async ({ page }) => {
  await open(page);
  const first = await firstName(page);

  // Each page of the list is rendered by the server, and comes alive again.
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(summary(page)).toHaveText(`Showing 51–100 of ${TOTAL} contacts`);
  await expect(page).toHaveURL(/after=/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(headerBox(page)).toBeEnabled();
  const second = await firstName(page);
  expect(second).not.toBe(first);

  await page.getByRole('link', { name: 'Next' }).click();
  await expect(summary(page)).toHaveText(`Showing 101–150 of ${TOTAL} contacts`);

  await page.reload();
  await expect(summary(page)).toHaveText(`Showing 101–150 of ${TOTAL} contacts`);
  await page.goBack();
  await expect(summary(page)).toHaveText(`Showing 51–100 of ${TOTAL} contacts`);
  expect(await firstName(page)).toBe(second);

  await page.getByRole('link', { name: 'Previous' }).click();
  await expect(summary(page)).toHaveText(`Showing 1–50 of ${TOTAL} contacts`);
  expect(await firstName(page)).toBe(first);
});

test('the last page has no Next', async ({ page }) => {
  await open(page);
  for (let shown = 50; shown < TOTAL; shown += 50) {
    await page.getByRole('link', { name: 'Next' }).click();
    await expect(summary(page)).toContainText(`Showing ${shown + 1}–`);
  }
  await expect(summary(page)).toHaveText(`Showing 451–500 of ${TOTAL} contacts`);
  await expect(page.getByText('Next')).toHaveAttribute('aria-disabled', 'true');
});

test('a malformed page link or an overlong search gives a clear message, not a 500', async ({ page }) => {
  const bad = await open(page, '/contacts?after=not-a-cursor');
  expect(bad!.status()).toBe(400);
  await expect(page.getByRole('alert')).toContainText('This page link is not valid');

  const long = await open(page, `/contacts?q=${'x'.repeat(300)}`);
  expect(long!.status()).toBe(400);
  await expect(page.getByRole('alert')).toContainText('The search is too long');
});
