import { Page } from '@playwright/test';
import {
  ORIGIN, bodyRows, deleteAllOf, demo, dialog, headerBox, open, openDeleteDialog, resetDemo, rowBox, rowNames, server, signIn, stats, summary,
  toolbar,
  uniqueNames, expect, test,
} from './support';

// One test per scenario of the seed article. Each starts from the demo account's
// 500 generated contacts and checks the database afterwards through `server stats`.
const TOTAL = 500;
test.beforeEach(() => resetDemo(TOTAL));

/** The related areas as the dialog names them: table → [one, many]. */
const AREAS: Record<string, [string, string]> = {
  conversations: ['conversation', 'conversations'],
  messages: ['message', 'messages'],
  notes: ['note', 'notes'],
  opportunities: ['opportunity', 'opportunities'],
  tasks: ['task', 'tasks'],
  appointments: ['appointment', 'appointments'],
  manual_actions: ['manual action', 'manual actions'],
  campaign_enrollments: ['campaign enrollment', 'campaign enrollments'],
};

/** "1 note", "3 notes". */
const phrase = (n: number, [one, many]: [string, string]) => `${n} ${n === 1 ? one : many}`;

/** The related-record counts the dialog shows, by area (table name). */
async function shownImpact(page: Page): Promise<Record<string, number>> {
  const items = (await dialog(page).getByRole('listitem').allInnerTexts()).map((t) => t.trim());
  const out: Record<string, number> = {};
  for (const [area, forms] of Object.entries(AREAS)) {
    const item = items.find((t) => {
      const m = t.match(/^(\d+) (.+)$/);
      return m !== null && t === phrase(Number(m[1]), forms);
    });
    expect(item, `the dialog names ${forms[1]}`).toBeTruthy();
    out[area] = Number(item!.split(' ')[0]);
  }
  expect(items).toHaveLength(Object.keys(AREAS).length);
  return out;
}

/** Asserts that the database lost exactly `contacts` contacts and the rows the dialog announced. */
function expectRemoved(before: ReturnType<typeof demo>, impact: Record<string, number>, contacts: number) {
  const after = demo();
  expect(after.contacts).toBe(before.contacts - contacts);
  expect(after.campaigns).toBe(before.campaigns);
  for (const area of Object.keys(AREAS)) {
    expect(after.areas[area], area).toBe(before.areas[area] - impact[area]);
  }
}

test('tick two rows and delete them', async ({ page }) => {
  await open(page);
  await expect(toolbar(page)).toBeHidden();
  const [first, second, third] = await uniqueNames(page);
  await rowBox(page, first).check();
  await expect(headerBox(page)).toHaveJSProperty('indeterminate', true);
  await rowBox(page, third).check();
  await expect(toolbar(page)).toBeVisible();
  await expect(toolbar(page)).toContainText('2 selected');

  const before = demo();
  await openDeleteDialog(page);
  await expect(dialog(page).getByRole('heading', { name: 'Delete 2 contacts?' })).toBeVisible();
  await expect(dialog(page)).toContainText('Deleted contacts stay in the Recycle Bin for 30 days.');
  const impact = await shownImpact(page);
  await expect(dialog(page).getByRole('textbox')).toHaveCount(0);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Deleted 2 contacts' })).toBeVisible();
  await expect(dialog(page)).toBeHidden();
  await expect(summary(page)).toHaveText(`Showing 1–50 of ${TOTAL - 2} contacts`);
  await expect(toolbar(page)).toBeHidden();
  await expect(rowBox(page, second)).toBeVisible();
  const names = await rowNames(page);
  expect(names).not.toContain(first);
  expect(names).not.toContain(third);
  expectRemoved(before, impact, 2);
});

test('the header checkbox ticks the page, and Delete removes only that page', async ({ page }) => {
  await open(page);
  await headerBox(page).check();
  await expect(toolbar(page)).toContainText('50 selected');
  await expect(page.getByText('All 50 contacts on this page are selected.')).toBeVisible();
  await expect(page.getByRole('link', { name: `Select all ${TOTAL} contacts` })).toBeVisible();

  const before = demo();
  await openDeleteDialog(page);
  await expect(dialog(page).getByRole('heading', { name: 'Delete 50 contacts?' })).toBeVisible();
  const impact = await shownImpact(page);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Deleted 50 contacts')).toBeVisible();
  await expect(summary(page)).toHaveText(`Showing 1–50 of ${TOTAL - 50} contacts`);
  expectRemoved(before, impact, 50);
});

test('header box, then "Select all N contacts", deletes every page', async ({ page }) => {
  await open(page);
  await headerBox(page).check();
  await page.getByRole('link', { name: `Select all ${TOTAL} contacts` }).click();
  await expect(page.getByText(`All ${TOTAL} contacts are selected.`)).toBeVisible();
  await expect(toolbar(page)).toContainText(`${TOTAL} selected`);
  // The selection holds across pages.
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(summary(page)).toHaveText(`Showing 51–100 of ${TOTAL} contacts`);
  await expect(headerBox(page)).toBeChecked();
  await expect(toolbar(page)).toContainText(`${TOTAL} selected`);

  const before = demo();
  await openDeleteDialog(page);
  await expect(dialog(page).getByRole('heading', { name: `Delete ${TOTAL} contacts?` })).toBeVisible();
  const impact = await shownImpact(page);
  // Every contact of the account: the number must be typed.
  const del = dialog(page).getByRole('button', { name: 'Delete' });
  await expect(del).toBeDisabled();
  await dialog(page).getByLabel(`Type ${TOTAL} to confirm`).fill(String(TOTAL));
  await del.click();
  await expect(page.getByText(`Deleted ${TOTAL} contacts`)).toBeVisible();
  await expect(page.getByText('There are no contacts here yet.')).toBeVisible();
  expectRemoved(before, impact, TOTAL);
  expect(demo().contacts).toBe(0);
});

test('unticking one after "Select all" keeps that one', async ({ page }) => {
  await open(page);
  const [keep] = await uniqueNames(page);
  await headerBox(page).check();
  await page.getByRole('link', { name: `Select all ${TOTAL} contacts` }).click();
  await rowBox(page, keep).uncheck();
  await expect(toolbar(page)).toContainText(`${TOTAL - 1} selected`);
  await expect(page.getByText(`${TOTAL - 1} of ${TOTAL} contacts are selected.`)).toBeVisible();
  await expect(headerBox(page)).toHaveJSProperty('indeterminate', true);

  const before = demo();
  await openDeleteDialog(page);
  await expect(dialog(page).getByRole('heading', { name: `Delete ${TOTAL - 1} contacts?` })).toBeVisible();
  const impact = await shownImpact(page);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText(`Deleted ${TOTAL - 1} contacts`)).toBeVisible();
  await expect(summary(page)).toHaveText('Showing 1–1 of 1 contact');
  expect(await rowNames(page)).toEqual([keep]);
  expectRemoved(before, impact, TOTAL - 1);
});

test('Cancel and Escape close the dialog and delete nothing', async ({ page }) => {
  await open(page);
  const [first] = await uniqueNames(page);
  await rowBox(page, first).check();
  const before = demo();

  await openDeleteDialog(page);
  await dialog(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog(page)).toBeHidden();

  await openDeleteDialog(page);
  // Focus stays in the modal dialog: the page behind it is inert.
  await expect(dialog(page).getByRole('button', { name: 'Cancel' })).toBeFocused();
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]')), key).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toBeHidden();

  await expect(summary(page)).toHaveText(`Showing 1–50 of ${TOTAL} contacts`);
  await expect(rowBox(page, first)).toBeChecked();
  expect(demo()).toEqual(before);
});

test('a large selection needs the number typed before Delete works', async ({ page }) => {
  resetDemo(1_200);
  await open(page);
  const [keep] = await uniqueNames(page);
  await headerBox(page).check();
  await page.getByRole('link', { name: 'Select all 1200 contacts' }).click();
  await rowBox(page, keep).uncheck();
  const before = demo();

  // 1,199 contacts: not the whole account, but 1,000 or more.
  await openDeleteDialog(page);
  await expect(dialog(page).getByRole('heading', { name: 'Delete 1199 contacts?' })).toBeVisible();
  const impact = await shownImpact(page);
  const del = dialog(page).getByRole('button', { name: 'Delete' });
  const typed = dialog(page).getByLabel('Type 1199 to confirm');
  await expect(del).toBeDisabled();
  await typed.fill('1200');
  await expect(del).toBeDisabled();
  await typed.fill('1199');
  await expect(del).toBeEnabled();
  await del.click();
  await expect(page.getByText('Deleted 1199 contacts')).toBeVisible();
  expectRemoved(before, impact, 1199);
  expect(await rowNames(page)).toEqual([keep]);
});

test('a long delete shows its progress, and Stop ends it between batches', async ({ page }) => {
  // The test server deletes one contact per transaction (BULK_DELETE_CHUNK=1), so 3,000
  // contacts take long enough to watch and stop.
  await deleteAllOf(page, 3000);

  await expect(dialog(page).getByRole('heading', { name: 'Deleting 3000 contacts…' })).toBeVisible();
  const progress = dialog(page).getByRole('progressbar', { name: 'Deleting contacts' });
  await expect(progress).toBeVisible();
  await expect(dialog(page).getByRole('status')).toContainText(/\d+ of 3000 contacts deleted/);
  // Escape does not hide a running delete.
  await page.keyboard.press('Escape');
  await expect(progress).toBeVisible();
  await dialog(page).getByRole('button', { name: 'Stop' }).click();

  const stopped = page.getByText(/^Stopped: deleted (\d+) of 3000 contacts/);
  await expect(stopped).toBeVisible({ timeout: 20_000 });
  await expect(dialog(page)).toBeHidden();
  const deleted = Number((await stopped.innerText()).match(/deleted (\d+) of/)![1]);
  expect(deleted).toBeGreaterThan(0);
  expect(deleted).toBeLessThan(3000);
  expect(demo().contacts).toBe(3000 - deleted);
  await expect(summary(page)).toContainText(`of ${3000 - deleted} contacts`);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk Actions' }).click();
  const latest = page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('row').first();
  await expect(latest).toContainText('Cancelled');
  await expect(latest).toContainText(`${deleted} of 3000`);
});

test('a long delete shows its progress again after the page reloads, and still stops', async ({ page }) => {
  // The delete is a job on the server: a reload (or a restart of the server) does not
  // lose it, and the page shows it again, running, with Stop.
  await deleteAllOf(page, 6000);
  await expect(dialog(page).getByRole('progressbar', { name: 'Deleting contacts' })).toBeVisible();

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(dialog(page).getByRole('heading', { name: 'Deleting 6000 contacts…' })).toBeVisible();
  await expect(dialog(page)).toContainText('All contacts');
  const progress = dialog(page).getByRole('progressbar', { name: 'Deleting contacts' });
  await expect(progress).toBeVisible();
  const status = dialog(page).getByRole('status');
  await expect(status).toContainText(/\d+ of 6000 contacts deleted/);
  // It moves on while the page watches.
  const first = Number(await progress.getAttribute('value'));
  await expect.poll(async () => Number(await progress.getAttribute('value'))).toBeGreaterThan(first);

  await dialog(page).getByRole('button', { name: 'Stop' }).click();
  const stopped = page.getByText(/^Stopped: deleted (\d+) of 6000 contacts/);
  await expect(stopped).toBeVisible({ timeout: 20_000 });
  const deleted = Number((await stopped.innerText()).match(/deleted (\d+) of/)![1]);
  expect(deleted).toBeGreaterThan(first);
  expect(deleted).toBeLessThan(6000);
  expect(demo().contacts).toBe(6000 - deleted);
});

test('"Can I delete my entire contact database at once?" Yes, and only mine', async ({ page }) => {
  server('seed', '--contacts', '40', '--account', 'Another company');
  const other = stats()[1];
  await open(page);
  await headerBox(page).check();
  await page.getByRole('link', { name: `Select all ${TOTAL} contacts` }).click();
  await openDeleteDialog(page);
  await dialog(page).getByLabel(`Type ${TOTAL} to confirm`).fill(String(TOTAL));
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText(`Deleted ${TOTAL} contacts`)).toBeVisible();
  await expect(page.getByText('There are no contacts here yet.')).toBeVisible();

  const [mine, theirs] = stats();
  expect(mine.contacts).toBe(0);
  for (const rows of Object.values(mine.areas)) expect(rows).toBe(0);
  expect(mine.campaigns).toBeGreaterThan(0);
  expect(theirs).toEqual(other);
});

test('search, then select all, deletes only the matches', async ({ page }) => {
  await open(page, '/contacts?q=gmail');
  const text = await summary(page).innerText();
  const matches = Number(text.match(/of (\d+) contacts/)![1]);
  expect(matches).toBeGreaterThan(50);
  expect(matches).toBeLessThan(TOTAL);
  await headerBox(page).check();
  await page.getByRole('link', { name: `Select all ${matches} contacts` }).click();

  const before = demo();
  await openDeleteDialog(page);
  await expect(dialog(page).getByRole('heading', { name: `Delete ${matches} contacts?` })).toBeVisible();
  await expect(dialog(page)).toContainText('All contacts matching “gmail”');
  const impact = await shownImpact(page);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText(`Deleted ${matches} contacts`)).toBeVisible();
  await expect(page.getByText('No contacts match “gmail”.')).toBeVisible();
  expectRemoved(before, impact, matches);

  await open(page);
  await expect(summary(page)).toContainText(`of ${TOTAL - matches} contacts`);
});

test('a double click on Delete deletes once', async ({ page }) => {
  await open(page);
  const [first, second] = await uniqueNames(page);
  await rowBox(page, first).check();
  await rowBox(page, second).check();
  const before = demo();
  await openDeleteDialog(page);
  const impact = await shownImpact(page);
  await dialog(page).getByRole('button', { name: 'Delete' }).dblclick();
  await expect(page.getByText('Deleted 2 contacts')).toBeVisible();
  expectRemoved(before, impact, 2);
});

test('ticked rows stay ticked across pages', async ({ page }) => {
  await open(page);
  const [a] = await uniqueNames(page);
  await rowBox(page, a).check();
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(summary(page)).toHaveText(`Showing 51–100 of ${TOTAL} contacts`);
  const [b] = await uniqueNames(page);
  await rowBox(page, b).check();
  await expect(toolbar(page)).toContainText('2 selected');
  await page.getByRole('link', { name: 'Previous' }).click();
  await expect(rowBox(page, a)).toBeChecked();
  await expect(toolbar(page)).toContainText('2 selected');
});

test('malformed or unconfirmed delete requests get a clear 4xx and delete nothing', async ({ request }) => {
  await signIn(request);
  const before = stats();
  const cases: [string, unknown, number, string][] = [
    ['preview_delete', { selection: { kind: 'bogus' } }, 400, 'malformed'],
    ['delete_contacts', 'not json', 400, 'malformed'],
    ['delete_contacts', { request: { selection: { kind: 'ids', ids: [] }, confirmed_count: 0, typed_confirmation: null, request_key: 'e2e-empty-1' } }, 400, 'No contacts are selected.'],
    ['delete_contacts', { request: { selection: { kind: 'all', search: '', except: [], watermark: 1e12 }, confirmed_count: 500, typed_confirmation: '500', request_key: 'e2e-future-1' } }, 400, 'Reload the list'],
    ['delete_contacts', { request: { selection: { kind: 'all', search: '', except: [], watermark: 0 }, confirmed_count: 7, typed_confirmation: null, request_key: 'e2e-count-1' } }, 409, 'None of the selected contacts exist'],
  ];
  for (const [endpoint, body, status, says] of cases) {
    const res = await request.post(`/api/${endpoint}`, {
      headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
      data: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(res.status(), `${endpoint} ${JSON.stringify(body)}`).toBe(status);
    expect(await res.text()).toContain(says);
  }
  expect(stats()).toEqual(before);
});

test('each delete is recorded in Bulk Actions, reachable from the navigation and the toolbar', async ({ page }) => {
  await open(page);
  const [first, second] = await uniqueNames(page);
  await rowBox(page, first).check();
  await rowBox(page, second).check();
  await openDeleteDialog(page);
  const impact = await shownImpact(page);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Deleted 2 contacts')).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk Actions' }).click();
  await expect(page.getByRole('heading', { name: 'Bulk Actions' })).toBeVisible();
  await expect(page).toHaveTitle('Bulk Actions · CRM');
  const latest = page.getByRole('table').getByRole('rowgroup').nth(1).getByRole('row').first();
  await expect(latest.getByRole('rowheader')).toHaveText('Delete');
  await expect(latest).toContainText('2 contacts selected one by one');
  await expect(latest).toContainText('Done');
  await expect(latest.getByRole('cell').nth(3)).toHaveText('2');
  await expect(latest).toContainText(phrase(impact.messages, AREAS.messages));

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
  await rowBox(page, (await uniqueNames(page))[0]).check();
  await toolbar(page).getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('heading', { name: 'Bulk Actions' })).toBeVisible();
});

test('shift-click ticks or clears the rows from the last clicked one; Space toggles a focused row', async ({ page }) => {
  await open(page);
  const box = (i: number) => bodyRows(page).nth(i).getByRole('checkbox');
  const expectTicked = async (rows: number[]) => {
    for (let i = 0; i < 10; i++) {
      if (rows.includes(i)) await expect(box(i), `row ${i}`).toBeChecked();
      else await expect(box(i), `row ${i}`).not.toBeChecked();
    }
    await expect(toolbar(page)).toContainText(`${rows.length} selected`);
  };

  // Downwards: rows 1 to 5.
  await box(1).click();
  await box(5).click({ modifiers: ['Shift'] });
  await expectTicked([1, 2, 3, 4, 5]);
  // Clearing works the same way, and upwards: row 3, then Shift on row 2, clears both.
  await box(3).click();
  await box(2).click({ modifiers: ['Shift'] });
  await expectTicked([1, 4, 5]);
  // From the keyboard: Space on a focused box, and Shift+click from it to row 9.
  await box(7).focus();
  await page.keyboard.press('Space');
  await expectTicked([1, 4, 5, 7]);
  await page.keyboard.press('Space');
  await expectTicked([1, 4, 5]);
  await box(8).focus();
  await page.keyboard.press('Space');
  await box(9).click({ modifiers: ['Shift'] });
  await expectTicked([1, 4, 5, 8, 9]);
  await expect(headerBox(page)).toHaveJSProperty('indeterminate', true);

  // What is deleted is what was ticked.
  const names = await rowNames(page);
  const before = demo();
  await openDeleteDialog(page);
  await expect(dialog(page).getByRole('heading', { name: 'Delete 5 contacts?' })).toBeVisible();
  const impact = await shownImpact(page);
  await dialog(page).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted 5 contacts' })).toBeVisible();
  expectRemoved(before, impact, 5);
  const left = await rowNames(page);
  // The list keeps its order: the rows that were not ticked close up.
  expect(left.slice(0, 5)).toEqual([0, 2, 3, 6, 7].map((i) => names[i]));
});
