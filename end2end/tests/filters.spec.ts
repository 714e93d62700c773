import { Page } from '@playwright/test';
import { demo, dialog, headerBox, open, openDeleteDialog, query, resetDemo, scalar, summary, expect, test } from './support';

// Issue 5: select all follows the filter. What should match is computed here with
// plain SQL on the database file, independently of the app's own queries.
test.beforeEach(() => resetDemo(500));

const inDemo = () => `account_id = ${demo().id}`;
const INACTIVE_YEAR = `last_activity_at < CAST(strftime('%s','now') AS INTEGER) - 365 * 86400`;

async function applyFilters(page: Page, fill: (page: Page) => Promise<void>) {
  await page.getByText('Filters', { exact: true }).click();
  await fill(page);
  await page.getByRole('button', { name: 'Apply filters' }).click();
}

async function selectAllAndDelete(page: Page, n: number, from: string) {
  await headerBox(page).check();
  await page.getByRole('link', { name: `Select all ${n} contacts` }).click();
  await openDeleteDialog(page);
  await expect(dialog(page).getByRole('heading', { name: `Delete ${n} contacts?` })).toBeVisible();
  await expect(dialog(page)).toContainText(from);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText(`Deleted ${n} contacts`)).toBeVisible();
}

test('filter to inactive contacts, select all, delete: only they are gone', async ({ page }) => {
  await open(page);
  const total = demo().contacts;
  const inactive = scalar(`SELECT COUNT(*) FROM contacts WHERE ${inDemo()} AND ${INACTIVE_YEAR}`);
  expect(inactive).toBeGreaterThan(50);
  const keptIds = query(`SELECT id FROM contacts WHERE ${inDemo()} AND NOT (${INACTIVE_YEAR}) OR ${inDemo()} AND last_activity_at IS NULL ORDER BY id`);

  await applyFilters(page, (p) => p.getByLabel('Last activity older than (days)').fill('365'));
  await expect(page).toHaveURL(/inactive=365/);
  await expect(page.getByRole('list', { name: 'Active filters' })).toContainText('last activity older than 365 days');
  await expect(summary(page)).toContainText(`of ${inactive} contacts`);

  await selectAllAndDelete(page, inactive, 'matching: last activity older than 365 days');
  expect(scalar(`SELECT COUNT(*) FROM contacts WHERE ${inDemo()} AND ${INACTIVE_YEAR}`)).toBe(0);
  expect(demo().contacts).toBe(total - inactive);
  expect(query(`SELECT id FROM contacts WHERE ${inDemo()} ORDER BY id`)).toEqual(keptIds);

  // Removing the chip shows the rest of the list.
  await page.getByRole('link', { name: 'Remove filter: last activity older than 365 days' }).click();
  await expect(summary(page)).toContainText(`of ${total - inactive} contacts`);
});

test('duplicates "all but the oldest", delete: one contact of each group remains', async ({ page }) => {
  await open(page);
  const groups = () =>
    query(`SELECT email_norm, COUNT(*) FROM contacts WHERE ${inDemo()} AND email_norm IS NOT NULL GROUP BY email_norm ORDER BY email_norm`);
  const before = groups() as [string, number][];
  const extra = before.reduce((n, [, c]) => n + c - 1, 0);
  expect(extra).toBeGreaterThan(0);
  const oldest = query(
    `SELECT MIN(id) FROM contacts c WHERE ${inDemo()} AND email_norm IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM contacts d WHERE d.account_id = c.account_id AND d.email_norm = c.email_norm
       AND (d.created_at < c.created_at OR (d.created_at = c.created_at AND d.id < c.id))) GROUP BY email_norm ORDER BY email_norm`,
  );

  await applyFilters(page, async (p) => {
    await p.getByLabel('Duplicates').selectOption({ label: 'Duplicates: same email' });
    await p.getByLabel('All but the oldest of each group').check();
  });
  await expect(page.getByRole('list', { name: 'Active filters' })).toContainText('duplicates, all but the oldest (same email)');
  await expect(summary(page)).toContainText(`of ${extra} contacts`);
  await selectAllAndDelete(page, extra, 'matching: duplicates, all but the oldest (same email)');

  const after = groups() as [string, number][];
  expect(after.map(([email]) => email)).toEqual(before.map(([email]) => email));
  expect(after.every(([, c]) => c === 1)).toBe(true);
  // The one left of each group is its oldest.
  const left = query(`SELECT MIN(id) FROM contacts WHERE ${inDemo()} AND email_norm IS NOT NULL GROUP BY email_norm ORDER BY email_norm`);
  expect(left).toEqual(oldest);
});

test('save a Smart List, open it, select all, delete: only its members go and the Smart List stays', async ({ page }) => {
  await open(page);
  const isLead = `(',' || tags || ',') LIKE '%,lead,%'`;
  const members = scalar(`SELECT COUNT(*) FROM contacts WHERE ${inDemo()} AND ${isLead}`);
  expect(members).toBeGreaterThan(50);
  const others = query(`SELECT id FROM contacts WHERE ${inDemo()} AND NOT ${isLead} ORDER BY id`);
  const total = demo().contacts;

  await applyFilters(page, (p) => p.getByLabel('Tag is', { exact: true }).fill('lead'));
  await expect(summary(page)).toContainText(`of ${members} contacts`);
  await page.getByRole('button', { name: 'Save as Smart List' }).click();
  await page.getByLabel('Smart List name').fill('Leads to clean');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved as Smart List “Leads to clean”.')).toBeVisible();

  // Back to every contact, then open the Smart List from the list of Smart Lists.
  const smartLists = page.getByRole('navigation', { name: 'Smart Lists' });
  await smartLists.getByRole('link', { name: 'All contacts' }).click();
  await expect(summary(page)).toContainText(`of ${total} contacts`);
  await smartLists.getByRole('link', { name: /Leads to clean/ }).click();
  await expect(page.getByRole('heading', { name: 'Smart List: Leads to clean' })).toBeVisible();
  await expect(summary(page)).toContainText(`of ${members} contacts`);

  await selectAllAndDelete(page, members, "from Smart List 'Leads to clean'");
  expect(query(`SELECT id FROM contacts WHERE ${inDemo()} ORDER BY id`)).toEqual(others);
  expect(scalar(`SELECT COUNT(*) FROM smart_lists WHERE ${inDemo()} AND name = 'Leads to clean'`)).toBe(1);
  await expect(smartLists.getByRole('link', { name: /Leads to clean/ })).toContainText('(0)');

  // Deleting the Smart List leaves the other contacts alone.
  await page.getByRole('button', { name: 'Delete Smart List' }).click();
  await expect(page.getByText('Smart List “Leads to clean” deleted. Its contacts were not touched.')).toBeVisible();
  await expect(smartLists.getByRole('link', { name: /Leads to clean/ })).toHaveCount(0);
  expect(demo().contacts).toBe(total - members);
});

test('a malformed filter in the URL gets a clear message and lists nothing', async ({ page }) => {
  const res = await open(page, '/contacts?inactive=soon');
  expect(res!.status()).toBe(400);
  await expect(page.getByRole('alert')).toContainText('needs a whole number of days');
  const range = await open(page, '/contacts?created_from=2025-06-01&created_before=2025-01-01');
  expect(range!.status()).toBe(400);
  await expect(page.getByRole('alert')).toContainText('The date range is empty');
});

test('every control of the filter panel fits the panel, at laptop and phone widths', async ({ page }) => {
  const controls = (page: Page) => [
    ...['Tag is', 'Tag is not', 'Source', 'Created on or after', 'Created before', 'Last activity older than (days)']
      .map((label) => [label, page.getByLabel(label, { exact: true })] as const),
    // A select's name includes its chosen option ("Email Any").
    ...['Email', 'Phone', 'Duplicates'].map((label) => [label, page.getByRole('combobox', { name: new RegExp(`^${label}`) })] as const),
    ...['Never active', 'All but the oldest of each group'].map((label) => [label, page.getByRole('checkbox', { name: label })] as const),
  ];
  for (const size of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    await open(page);
    await page.getByText('Filters', { exact: true }).click();
    const panel = await page.getByRole('group', { name: 'Filters' }).boundingBox();
    expect(panel).not.toBeNull();
    for (const [label, control] of controls(page)) {
      await expect(control).toBeVisible();
      const box = (await control.boundingBox())!;
      expect(box.x, `${label} at ${size.width} px`).toBeGreaterThanOrEqual(panel!.x - 0.5);
      expect(box.x + box.width, `${label} at ${size.width} px`).toBeLessThanOrEqual(panel!.x + panel!.width + 0.5);
    }
    const apply = (await page.getByRole('button', { name: 'Apply filters' }).boundingBox())!;
    expect(apply.x + apply.width).toBeLessThanOrEqual(size.width);
  }
});
