// The explorer in a real browser: its built site (explorer/dist) served on a free local port,
// and headless Chromium from Debian's packages driven by playwright-core (nothing downloads a
// browser).

import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The built site: $EXPLORER_DIST, else explorer/dist (scripts/test.sh builds it). */
export const explorerDist = () => process.env.EXPLORER_DIST || join(repoRoot, 'explorer', 'dist');

/** Debian's Chromium: $CHROMIUM, else /usr/bin/chromium. */
const chromiumPath = () => process.env.CHROMIUM || '/usr/bin/chromium';

/** Where the tests' screenshots go: $EXPLORER_SCREENSHOTS (docs/explorer to refresh the docs' copies), else none. */
export const screenshotDir = () => process.env.EXPLORER_SCREENSHOTS;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };

/** Serves the built site on a free loopback port; resolves with { url, close() }. */
export async function serveExplorer() {
  const root = explorerDist();
  if (!existsSync(join(root, 'index.html'))) throw new Error(`no built explorer at ${root}: npm run build --prefix explorer (scripts/test.sh does)`);
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://localhost').pathname)).replace(/^(\.\.[/\\])+/, '').replace(/^[/\\]+/, '') || 'index.html';
    try {
      const body = await readFile(join(root, path));
      response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((done) => server.close(done)) };
}

/** Headless Chromium; resolves with the browser (close it when done). */
export async function launchBrowser() {
  if (!existsSync(chromiumPath())) throw new Error(`no Chromium at ${chromiumPath()}: apt-get install chromium (scripts/test.sh does)`);
  // The flags keep Chromium off the network it has no business with (this machine's is closed).
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * A page of the explorer at `site` reading `nodeUrl`: `open(route)` shows `#route` and
 * resolves once the page `sectionId` has rendered (at the block it returns); `shot(name)` saves
 * a screenshot when screenshots are asked for.
 */
export async function explorerPage(browser, site, nodeUrl) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  let loaded = false;
  return {
    page,
    errors,
    async open(route, sectionId, { timeout = 60_000 } = {}) {
      if (!loaded) {
        await page.goto(`${site}?node=${encodeURIComponent(nodeUrl)}#${route}`);
        loaded = true;
      } else {
        await page.evaluate((hash) => { location.hash = hash; }, route);
      }
      const section = page.locator(`main#page > section#${sectionId}[data-route="${route}"]`);
      try {
        await section.waitFor({ timeout });
      } catch (error) {
        const shown = await page.locator('main#page').innerText().catch(() => '?');
        throw new Error(`#${route} did not render #${sectionId} (${error.message.split('\n')[0]}); the page shows: ${shown.slice(0, 500)}; page errors: ${errors.join('; ')}`);
      }
      return Number(await section.getAttribute('data-block'));
    },
    /**
     * The texts of `selectors` ({ name: css }) and the block the page shows, read together
     * (the page renders again at every block: values read apart could be of two blocks).
     */
    async snapshot(selectors) {
      return page.evaluate((wanted) => {
        const section = document.querySelector('main#page > section');
        const texts = {};
        for (const [name, css] of Object.entries(wanted)) texts[name] = document.querySelector(css)?.innerText ?? null;
        return { block: Number(section?.dataset.block), texts };
      }, selectors);
    },
    async shot(name) {
      const dir = screenshotDir();
      if (!dir) return;
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    },
  };
}
