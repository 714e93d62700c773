import { Page } from '@playwright/test';
import {
  bodyRows, deleteAllOf, demo, dialog, open, openDeleteDialog, resetDemo, rowBox, scalar, summary, uniqueNames, expect,
  test,
} from './support';

// The Recycle Bin (issue 13): the demo account keeps deleted contacts 30 days. Each test
// starts from its 500 generated contacts and checks the database through `server stats`.
const TOTAL = 500;
test.beforeEach(() => resetDemo(TOTAL));

const conversationsItem = (page: Page) => dialog(page).getByRole('listitem').filter({ hasText: /^\d+ conversations?$/ });

/** Ticks the contacts named and opens the delete dialog. */
async function tickAndOpenDelete(page: Page, names: string[]) {
  for (const name of names) await rowBox(page, name).check();
  await openDeleteDialog(page);
}

test('a delete goes to the Recycle Bin; Restore in the history brings the contacts back with everything', async ({ page }) => {
  await open(page);
  const picked = (await uniqueNames(page)).slice(0, 3);
  const before = demo();
  await tickAndOpenDelete(page, picked);
  await expect(dialog(page)).toContainText('Deleted contacts stay in the Recycle Bin for 30 days.');
  await expect(dialog(page)).not.toContainText('This action cannot be undone.');
  await expect(dialog(page).getByRole('list', { name: 'Related records moved with them' })).toBeVisible();
  const conversations = await conversationsItem(page).innerText();
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 3 contacts' })).toBeVisible();
  await expect(summary(page)).toHaveText(`Showing 1–50 of ${TOTAL - 3} contacts`);
  expect(demo().contacts).toBe(before.contacts - 3);

  await open(page, '/bulk-actions');
  const deleted = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Delete' }) });
  await deleted.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog(page).getByRole('heading', { name: `Restore 3 contacts with ${conversations}` })).toBeVisible();
  await dialog(page).getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored 3 contacts' })).toBeVisible();
  expect(demo()).toEqual(before);
  // The history records the restore; the delete has nothing left to restore.
  await expect(page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Restore' }) })).toHaveCount(1);
  await expect(deleted.getByRole('button', { name: 'Restore' })).toHaveCount(0);

  // Back in the list: a new delete of them counts their conversations again.
  await open(page);
  await expect(summary(page)).toHaveText(`Showing 1–50 of ${TOTAL} contacts`);
  await tickAndOpenDelete(page, picked);
  await expect(conversationsItem(page)).toHaveText(conversations);
});

test('a long restore shows its progress, and Stop leaves the others in the Recycle Bin', async ({ page }) => {
  // The test server works one contact per transaction (BULK_DELETE_CHUNK=1): restoring
  // 2,000 contacts takes long enough to watch and stop.
  const n = 2000;
  const inBin = () => scalar('SELECT COUNT(*) FROM bin_contacts');
  await deleteAllOf(page, n);
  await expect(page.getByRole('status').filter({ hasText: `Deleted ${n} contacts` })).toBeVisible({ timeout: 90_000 });
  expect(inBin()).toBe(n);

  await open(page, '/bulk-actions');
  const deleted = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Delete' }) });
  await deleted.getByRole('button', { name: 'Restore' }).click();
  await dialog(page).getByRole('button', { name: 'Restore' }).click();
  await expect(dialog(page).getByRole('heading', { name: `Restoring ${n} contacts…` })).toBeVisible();
  const progress = dialog(page).getByRole('progressbar', { name: 'Restoring contacts' });
  await expect(progress).toBeVisible();
  await expect(dialog(page).getByRole('status')).toContainText(new RegExp(`\\d+ of ${n} contacts restored`));
  // Escape does not hide a running restore.
  await page.keyboard.press('Escape');
  await expect(progress).toBeVisible();
  await dialog(page).getByRole('button', { name: 'Stop' }).click();

  const stopped = page.getByText(new RegExp(`^Stopped: restored (\\d+) of ${n} contacts`));
  await expect(stopped).toBeVisible({ timeout: 20_000 });
  const restored = Number((await stopped.innerText()).match(/restored (\d+) of/)![1]);
  expect(restored).toBeGreaterThan(0);
  expect(restored).toBeLessThan(n);
  expect(demo().contacts).toBe(restored);
  expect(inBin()).toBe(n - restored);
  // What is still in the bin can be restored.
  await expect(deleted.getByRole('button', { name: 'Restore' })).toBeVisible();
});

test('Undo right after a delete restores it', async ({ page }) => {
  await open(page);
  const picked = (await uniqueNames(page)).slice(0, 2);
  const before = demo();
  await tickAndOpenDelete(page, picked);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 2 contacts' })).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored 2 contacts' })).toBeVisible();
  await expect(summary(page)).toHaveText(`Showing 1–50 of ${TOTAL} contacts`);
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  expect(demo()).toEqual(before);
});

test('an admin sets the days on the Team page; 0 empties the bin once typed, then a delete is permanent', async ({ page }) => {
  const days = () => scalar("SELECT keep_deleted_days FROM accounts WHERE name = 'Demo Company'");
  const inBin = () => scalar('SELECT COUNT(*) FROM bin_contacts');
  await open(page);
  await tickAndOpenDelete(page, (await uniqueNames(page)).slice(0, 1));
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 1 contact' })).toBeVisible();
  expect(inBin()).toBe(1);

  await open(page, '/team');
  const field = page.getByLabel('Keep deleted contacts for');
  await expect(field).toHaveValue('30');
  // Out of range: refused, nothing changes.
  await field.fill('400');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '0 to 365' })).toBeVisible();
  expect(days()).toBe(30);

  // 0 deletes what waits in the bin: not before its number is typed.
  await field.fill('0');
  await expect(page.getByText('The 1 contact in the Recycle Bin will be deleted permanently.')).toBeVisible();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'type 1 to confirm' })).toBeVisible();
  expect(days()).toBe(30);
  await page.getByLabel('Type 1 to confirm').fill('1');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deletes are permanent from now on' })).toBeVisible();
  expect(days()).toBe(0);
  // A server's job runner purges it within a tick or two.
  await expect.poll(inBin, { timeout: 20_000 }).toBe(0);

  await open(page);
  const picked = (await uniqueNames(page)).slice(0, 1);
  await tickAndOpenDelete(page, picked);
  await expect(dialog(page)).toContainText('This action cannot be undone.');
  await expect(dialog(page).getByRole('list', { name: 'Related records deleted with them' })).toBeVisible();
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 1 contact' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toHaveCount(0);
  expect(inBin()).toBe(0);
});

test('the Recycle Bin page: search, restore one, delete one permanently with its number typed', async ({ page }) => {
  await open(page);
  const [kept, restored, purged] = (await uniqueNames(page)).slice(0, 3);
  await tickAndOpenDelete(page, [kept, restored, purged]);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 3 contacts' })).toBeVisible();
  const before = demo();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recycle Bin' }).click();
  await expect(page).toHaveURL(/\/recycle-bin$/);
  await expect(page).toHaveTitle('Recycle Bin · CRM');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(summary(page)).toHaveText('Showing 1–3 of 3 contacts');
  for (const name of [kept, restored, purged]) await expect(rowBox(page, name)).toBeVisible();

  // Search by name.
  await page.getByRole('searchbox', { name: 'Search the Recycle Bin' }).fill(restored);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/recycle-bin\?q=/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(rowBox(page, restored)).toBeVisible();
  expect(await bodyRows(page).count()).toBeLessThan(3);

  // Restore it.
  const actions = page.getByRole('toolbar', { name: 'Recycle Bin actions' });
  await rowBox(page, restored).check();
  await actions.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog(page).getByRole('heading', { name: /^Restore 1 contact/ })).toBeVisible();
  await dialog(page).getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored 1 contact' })).toBeVisible();
  expect(demo().contacts).toBe(before.contacts + 1);

  // Delete one for good: not before its number is typed.
  await open(page, '/recycle-bin');
  await expect(summary(page)).toHaveText('Showing 1–2 of 2 contacts');
  await rowBox(page, purged).check();
  await actions.getByRole('button', { name: 'Delete permanently' }).click();
  await expect(dialog(page).getByRole('heading', { name: 'Delete 1 contact permanently?' })).toBeVisible();
  await expect(dialog(page)).toContainText('This action cannot be undone.');
  const confirm = dialog(page).getByRole('button', { name: 'Delete permanently' });
  await expect(confirm).toBeDisabled();
  await dialog(page).getByLabel('Type 1 to confirm').fill('1');
  await confirm.click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 1 contact' })).toBeVisible();
  await expect(rowBox(page, kept)).toBeVisible();
  await expect(rowBox(page, purged)).toHaveCount(0);
  expect(scalar('SELECT COUNT(*) FROM bin_contacts')).toBe(1);
  expect(demo().contacts).toBe(before.contacts + 1);
});
