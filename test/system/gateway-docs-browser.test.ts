/**
 * The docs page as a person uses it, in a real headless Chromium: every tag group of the aggregated document is
 * on the page, "Try it out" on GET /api/tags gets 200 from the gateway, and after entering a token in the
 * Authorize dialog an authorized call (GET /api/user) succeeds. Nothing is loaded from anywhere but the gateway.
 *
 * Without a Chromium the test is skipped and says why; with CI_REQUIRE_BROWSER=1 (.ci/run) it fails instead.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { findChromium, launchChromium } from '../support/browser.js';
import { api, register, stack } from '../support/stack.js';

const TITLE = 'the docs page in headless Chromium: every tag group, "Try it out" on GET /api/tags, an authorized call';
const chromiumPath = findChromium();

/** The operation block of `method path` on the Swagger UI page. */
const operation = (page: Page, method: string, path: string) =>
  page.locator(`.opblock.opblock-${method}`, { has: page.locator(`.opblock-summary-path[data-path="${path}"]`) }).first();

/** Expands an operation, presses "Try it out" then "Execute", and returns the response the page received. */
async function tryItOut(page: Page, method: string, path: string) {
  const block = operation(page, method, path);
  await block.locator('.opblock-summary-control').click();
  await block.getByRole('button', { name: 'Try it out' }).click();
  const url = `${stack().gatewayUrl}${path}`;
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === url && r.request().method() === method.toUpperCase(), { timeout: 60_000 }),
    block.getByRole('button', { name: 'Execute' }).click(),
  ]);
  // The page shows the status it got (the table's body row; its header row says "Code").
  const status = block.locator('.live-responses-table tr.response .response-col_status').first();
  await status.waitFor({ timeout: 60_000 });
  return { response, shown: (await status.innerText()).trim() };
}

if (!chromiumPath && process.env.CI_REQUIRE_BROWSER === '1') {
  test(TITLE, (t) => {
    t.fail('CI_REQUIRE_BROWSER=1 but no Chromium was found (apt-get install chromium, or set CHROMIUM_PATH)');
  });
} else if (!chromiumPath) {
  test.skip(`${TITLE} (SKIPPED: no Chromium found; apt-get install chromium, or set CHROMIUM_PATH)`, () => undefined);
} else {
  test(TITLE, async (t) => {
    // Swagger UI renders the whole API in ~20 s on a quiet 2-core machine, 2 minutes and more under the full suite.
    t.timeout(420_000);
    const gateway = stack().gatewayUrl;
    const doc = (await api('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, { tags?: string[] }>> };
    const tags = [...new Set(Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])))].sort();
    t.true(tags.length >= 5, `tags in the document: ${tags.join(', ')}`);
    const user = await register();

    const started = Date.now();
    const phase = (name: string) => t.log(`${name} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const browser = await launchChromium(chromiumPath);
    phase('Chromium up');
    try {
      const page = await browser.context.newPage();
      // The gateway believes X-Forwarded-For from loopback in tests: the browser is a client address of its own.
      await page.setExtraHTTPHeaders({ 'x-forwarded-for': '203.0.113.250' });
      const elsewhere: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(`${gateway}/`) && !/^(data|blob|about):/.test(r.url())) elsewhere.push(r.url());
      });
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

      const loaded = await page.goto(`${gateway}/api/docs`, { waitUntil: 'load', timeout: 120_000 });
      t.is(loaded?.status(), 200);
      await page.locator('.swagger-ui .opblock-tag').first().waitFor({ timeout: 180_000 });
      phase('page rendered');
      for (const tag of tags) t.true(await page.locator(`.opblock-tag[data-tag="${tag}"]`).isVisible(), `tag group ${tag} is on the page`);
      t.true(await operation(page, 'get', '/feeds/articles.atom').isVisible(), 'the feeds are listed too');

      // "Try it out" on GET /api/tags: the request goes to the gateway and comes back 200.
      const tagsCall = await tryItOut(page, 'get', '/api/tags');
      t.is(tagsCall.response.status(), 200);
      t.is(tagsCall.shown, '200');
      t.true(Array.isArray(((await tagsCall.response.json()) as { tags: unknown }).tags));

      phase('GET /api/tags tried');
      // Authorize with a token, then an authorized call.
      await page.locator('.scheme-container button.authorize').click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.locator('input').first().fill(`Token ${user.token}`);
      await dialog.locator('button.modal-btn.authorize').click();
      await dialog.locator('button.btn-done').click();
      const me = await tryItOut(page, 'get', '/api/user');
      t.is(me.response.status(), 200);
      t.is(me.shown, '200');
      t.is(await me.response.request().headerValue('authorization'), `Token ${user.token}`);
      t.is(((await me.response.json()) as { user: { username: string } }).user.username, user.username);

      phase('GET /api/user tried with the token');
      if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: false });
      t.deepEqual(elsewhere, [], 'the page loads nothing from outside the gateway (no CDN)');
      t.deepEqual(problems, [], 'no script errors or refused resources');
    } finally {
      await browser.close();
    }
  });
}
