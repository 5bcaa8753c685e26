// How long the console takes to show the first page of a dataset's image grid, in a real browser (Debian's
// Chromium, headless), each visit in a fresh browser context (an empty HTTP cache). Not a test: bench/run
// console-grid starts the server, fills the dataset and runs this. Prints one JSON line per visit and a summary.
//   NIMBUS_URL=http://127.0.0.1:PORT NIMBUS_DATASET=ID [VISITS=5] node console/e2e/grid-timing.mjs
import { chromium } from 'playwright-core';

const url = process.env.NIMBUS_URL;
const dataset = process.env.NIMBUS_DATASET;
const visits = Number(process.env.VISITS ?? 5);
if (!url || !dataset) {
  console.error('set NIMBUS_URL and NIMBUS_DATASET');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});

/** Milliseconds from navigation to every thumbnail of the grid's first (or next) page decoded and shown. */
async function gridShown(page, start) {
  await page.waitForFunction(() => {
    const list = document.querySelector('ul[aria-label="Images"]');
    if (!list || list.getAttribute('aria-busy') === 'true') return false;
    const imgs = [...list.querySelectorAll('img')];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout: 60_000, polling: 'raf' });
  const count = await page.locator('ul[aria-label="Images"] img').count();
  return { ms: Date.now() - start, thumbnails: count };
}

const results = [];
try {
  for (let v = 0; v < visits; v++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const start = Date.now();
    await page.goto(`${url}/#/datasets/${encodeURIComponent(dataset)}`);
    const first = await gridShown(page, start);
    const nextStart = Date.now();
    await page.getByRole('button', { name: 'Next page' }).click();
    const next = await gridShown(page, nextStart);
    const total = await page.getByText(/images$/).first().textContent().catch(() => '');
    const r = { visit: v + 1, firstPageMs: first.ms, thumbnails: first.thumbnails, nextPageMs: next.ms, shown: total };
    results.push(r);
    console.log(JSON.stringify(r));
    await context.close();
  }
} finally {
  await browser.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({
  summary: true,
  firstVisitMs: results[0].firstPageMs,
  medianFirstPageMs: median(results.map((r) => r.firstPageMs)),
  medianNextPageMs: median(results.map((r) => r.nextPageMs)),
}));
