import { Page } from '@playwright/test';
import {
  ADMIN, ORIGIN, OTHER_ADMIN, USER, demo, dialog, open, openDeleteDialog, resetDemo, rowBox, signInWithForm, stats,
  summary, toolbar, uniqueNames, expect, test,
} from './support';

// Issue 4: who is asking. Each test starts from the demo: Demo Company (an admin and a
// plain user without the bulk-delete permission) and Other Company.
test.beforeEach(() => resetDemo(500));

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

async function signOut(page: Page) {
  await nav(page).getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

/** Ticks two rows and deletes them through the dialog; returns nothing until "Deleted 2 contacts". */
async function deleteTwo(page: Page) {
  const [first, second] = await uniqueNames(page);
  await rowBox(page, first).check();
  await rowBox(page, second).check();
  await openDeleteDialog(page);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Deleted 2 contacts')).toBeVisible();
}

test('without a session every page leads to the sign-in page, and a wrong password is refused', async ({ page }) => {
  for (const url of ['/contacts', '/bulk-actions', '/team']) {
    await page.goto(url);
    await expect(page).toHaveURL(/\/login$/);
  }
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is not right.');
  await page.getByLabel('Email').fill('nobody@demo.test');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is not right.');
  await expect(page).toHaveURL(/\/login$/);
  const res = await page.request.post('/api/list_contacts', {
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
    data: JSON.stringify({ query: { search: '', after: null, before: null } }),
  });
  expect(res.status()).toBe(401);
});

test('the admin signs in, bulk deletes, and sees the history row with their name', async ({ page }) => {
  await signInWithForm(page, ADMIN);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const before = demo();
  await deleteTwo(page);
  expect(demo().contacts).toBe(before.contacts - 2);

  await toolbar(page).getByRole('link', { name: 'History' }).or(nav(page).getByRole('link', { name: 'Bulk Actions' })).first().click();
  await expect(page.getByRole('heading', { name: 'Bulk Actions' })).toBeVisible();
  const latest = page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('row').first();
  await expect(latest).toContainText(ADMIN.name);
  await expect(latest).toContainText('2 contacts selected one by one');
  await expect(latest).toContainText('Done');
});

test('a plain user sees Delete disabled with the reason until an admin grants the permission', async ({ page, browser }) => {
  await signInWithForm(page, USER);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const [name] = await uniqueNames(page);
  await rowBox(page, name).check();
  await toolbar(page).getByRole('button', { name: 'Bulk actions' }).click();
  const item = page.getByRole('menuitem', { name: 'Delete' });
  await expect(item).toBeDisabled();
  await expect(item).toHaveAccessibleDescription(/permission/);
  await expect(page.getByText('Ask an admin to grant it on the Team page')).toBeVisible();
  await item.click({ force: true });
  await expect(dialog(page)).toBeHidden();

  // The user can see the Team page but not change it.
  await page.goto('/team');
  await expect(page.getByRole('checkbox', { name: 'Bulk delete contacts' })).toBeDisabled();

  // The admin, in another browser, grants the permission on the Team page.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInWithForm(admin, ADMIN);
  await nav(admin).getByRole('link', { name: 'Team' }).click();
  await expect(admin.getByRole('heading', { name: 'Team' })).toBeVisible();
  await expect(admin).toHaveTitle('Team · CRM');
  const userRow = admin.getByRole('row', { name: new RegExp(USER.name) });
  await expect(userRow).toContainText(USER.email);
  await expect(userRow).toContainText('User');
  await expect(admin.getByRole('row', { name: new RegExp(ADMIN.name) })).toContainText('Always (admin)');
  const grant = userRow.getByRole('checkbox', { name: 'Bulk delete contacts' });
  await expect(grant).toHaveAccessibleDescription(USER.name);
  await grant.check();
  await expect(admin.getByRole('status').filter({ hasText: 'may now bulk delete' })).toHaveText(
    `${USER.name} may now bulk delete contacts.`,
  );
  await adminContext.close();

  // The user can now delete.
  await open(page, '/contacts');
  const before = demo();
  await deleteTwo(page);
  expect(demo().contacts).toBe(before.contacts - 2);
  await page.goto('/bulk-actions');
  const rows = page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(USER.name);
});

test('sign out returns to the sign-in page and the contacts are no longer reachable', async ({ page }) => {
  await signInWithForm(page, ADMIN);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await signOut(page);
  await page.goto('/contacts');
  await expect(page).toHaveURL(/\/login$/);
  const res = await page.request.post('/api/list_contacts', {
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
    data: JSON.stringify({ query: { search: '', after: null, before: null } }),
  });
  expect(res.status()).toBe(401);
});

test('each account sees only its own contacts', async ({ page }) => {
  await signInWithForm(page, OTHER_ADMIN);
  const other = stats().find((a) => a.name === 'Other Company')!;
  await expect(summary(page)).toContainText(`of ${other.contacts} contacts`);
  await expect(nav(page)).toContainText('Other Company');
  await page.goto('/bulk-actions');
  await expect(page.getByText('No bulk actions yet.')).toBeVisible();
});
