import { Page, Download } from '@playwright/test';
import { execFileSync } from 'child_process';
import { demo, dialog, open, openDeleteDialog, resetDemo, rowBox, toolbar, uniqueNames, expect, test } from './support';

// Issue 5: "Consider exporting contacts before deleting".
test.beforeEach(() => resetDemo(500));

/** The downloaded CSV's rows, read by Python's csv module. */
async function rows(download: Download): Promise<Record<string, string>[]> {
  const script = 'import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))))';
  return JSON.parse(execFileSync('python3', ['-c', script, await download.path()], { encoding: 'utf8' }));
}

async function tickTwo(page: Page): Promise<string[]> {
  const [first, second] = await uniqueNames(page);
  await rowBox(page, first).check();
  await rowBox(page, second).check();
  return [first, second];
}

test('export from the confirm dialog downloads a CSV with the selected contacts', async ({ page }) => {
  await open(page);
  const names = await tickTwo(page);
  const before = demo();
  await openDeleteDialog(page);
  const downloading = page.waitForEvent('download');
  await dialog(page).getByRole('link', { name: 'Export these contacts first' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^demo-company-contacts-\d{4}-\d{2}-\d{2}\.csv$/);
  const got = await rows(download);
  expect(got.map((r) => `${r.first_name} ${r.last_name}`).sort()).toEqual([...names].sort());
  for (const field of ['id', 'email', 'phone', 'company', 'tags', 'source', 'created_at', 'last_activity_at']) {
    expect(Object.keys(got[0])).toContain(field);
  }
  expect(got[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  // The dialog is still there, and nothing was deleted.
  await expect(dialog(page)).toBeVisible();
  expect(demo()).toEqual(before);
});

test('Bulk actions ▸ Export downloads the selection, and the history records it', async ({ page }) => {
  await open(page);
  const names = await tickTwo(page);
  await toolbar(page).getByRole('button', { name: 'Bulk actions' }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: 'Export' }).click();
  const got = await rows(await downloading);
  expect(got.map((r) => `${r.first_name} ${r.last_name}`).sort()).toEqual([...names].sort());

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk Actions' }).click();
  const latest = page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('row').first();
  await expect(latest.getByRole('rowheader')).toHaveText('Export');
  await expect(latest).toContainText('2 contacts selected one by one');
  await expect(latest).toContainText('Done');
});
