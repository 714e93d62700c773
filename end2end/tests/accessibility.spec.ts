import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { USER, bodyRows, dialog, open, openDeleteDialog, resetDemo, signIn, toolbar, expect, test } from './support';

// Issue 11: every page, in each state a user meets, checked by axe-core (the rules of
// WCAG 2.1 A and AA, and axe's best practices). A serious or critical violation fails.
test.beforeEach(() => resetDemo(500));
// Each axe run takes a few seconds; a test here runs several.
test.describe.configure({ timeout: 90_000 });

/** Runs axe on the page as it is now; `state` names it in the failure. */
async function expectNoSeriousViolations(page: Page, state: string) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}; at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `serious or critical accessibility violations: ${state}`).toEqual([]);
  // The check did run: it looked at the page and passed rules.
  expect(results.passes.length, state).toBeGreaterThan(10);
}

test('the sign-in page', async ({ page }) => {
  await page.goto('/login');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expectNoSeriousViolations(page, 'sign-in');
  // With the refusal shown.
  await page.getByLabel('Email').fill('nobody@demo.test');
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoSeriousViolations(page, 'sign-in refused');
});

test('the contacts page: plain, with a selection and the toolbar, the confirm dialog, the filters', async ({ page }) => {
  await open(page);
  await expectNoSeriousViolations(page, 'contacts');

  await bodyRows(page).nth(0).getByRole('checkbox').check();
  await bodyRows(page).nth(2).getByRole('checkbox').check();
  await expect(toolbar(page)).toContainText('2 selected');
  await toolbar(page).getByRole('button', { name: 'Bulk actions' }).click();
  await expect(page.getByRole('menuitem', { name: 'Delete' })).toBeVisible();
  await expectNoSeriousViolations(page, 'contacts with a selection and the bulk actions menu open');
  await page.keyboard.press('Escape');

  await openDeleteDialog(page);
  await expectNoSeriousViolations(page, 'the confirm dialog');
  await dialog(page).getByRole('button', { name: 'Cancel' }).click();

  await page.getByText('Filters', { exact: true }).click();
  await expect(page.getByRole('group', { name: 'Filters' })).toBeVisible();
  await expectNoSeriousViolations(page, 'the filters open');

  // "Select all" with its banner, and a filtered list with its chips.
  await open(page, '/contacts?inactive=365');
  await expect(page.getByRole('list', { name: 'Active filters' })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await page.getByRole('link', { name: /^Select all \d+ contacts$/ }).click();
  await expect(page.getByText(/^All \d+ contacts are selected\.$/)).toBeVisible();
  await expectNoSeriousViolations(page, 'a filtered list, all selected');
});

test('Smart Lists: the tabs with their counts and an open Smart List with its controls', async ({ page }) => {
  await open(page, '/contacts?tag=lead');
  await page.getByRole('button', { name: 'Save as Smart List' }).click();
  await page.getByLabel('Smart List name').fill('Leads');
  await expectNoSeriousViolations(page, 'naming a Smart List');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Smart List: Leads' })).toBeVisible();
  const tabs = page.getByRole('navigation', { name: 'Smart Lists' });
  await expect(tabs.getByRole('link', { name: /^Leads \(\d+\)$/ })).toBeVisible();
  await expectNoSeriousViolations(page, 'an open Smart List');
});

test('the Bulk Actions history with the restore dialog, the Recycle Bin and the Team page', async ({ page }) => {
  await open(page);
  await bodyRows(page).nth(0).getByRole('checkbox').check();
  await openDeleteDialog(page);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Deleted 1 contact')).toBeVisible();

  await open(page, '/bulk-actions');
  await expect(page.getByRole('table')).toBeVisible();
  await expectNoSeriousViolations(page, 'history');
  await page.getByRole('button', { name: 'Restore' }).click();
  await expect(dialog(page).getByRole('heading', { name: /^Restore 1 contact/ })).toBeVisible();
  await expectNoSeriousViolations(page, 'the restore dialog');
  await dialog(page).getByRole('button', { name: 'Cancel' }).click();

  await open(page, '/recycle-bin');
  await bodyRows(page).nth(0).getByRole('checkbox').check();
  await page.getByRole('toolbar', { name: 'Recycle Bin actions' }).getByRole('button', { name: 'Delete permanently' }).click();
  await expect(dialog(page).getByLabel('Type 1 to confirm')).toBeVisible();
  await expectNoSeriousViolations(page, 'the Recycle Bin with its permanent delete dialog');

  await open(page, '/team');
  await expect(page.getByRole('heading', { name: 'Team' })).toBeVisible();
  await expectNoSeriousViolations(page, 'Team');
});

test('as a plain user: Delete disabled with its reason, and the Team page read-only', async ({ page }) => {
  await signIn(page.request, USER);
  await open(page);
  await bodyRows(page).nth(0).getByRole('checkbox').check();
  await toolbar(page).getByRole('button', { name: 'Bulk actions' }).click();
  await expect(page.getByRole('menuitem', { name: 'Delete' })).toHaveAttribute('aria-disabled', 'true');
  await expectNoSeriousViolations(page, 'the bulk actions menu of a user without the permission');
  await open(page, '/team');
  await expect(page.getByRole('heading', { name: 'Team' })).toBeVisible();
  await expectNoSeriousViolations(page, 'Team, read-only');
});

test('a page with nothing to show, and an error', async ({ page }) => {
  await open(page, '/contacts?q=no-such-person-anywhere');
  await expect(page.getByText('No contacts match “no-such-person-anywhere”.')).toBeVisible();
  await expectNoSeriousViolations(page, 'no match');
  await open(page, '/contacts?inactive=soon');
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoSeriousViolations(page, 'a malformed filter');
});
