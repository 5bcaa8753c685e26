// The lab's journey through the web console, in headless Chromium, the way a person does it: find things by
// their role and visible text. Create a dataset, upload a folder (one sub-folder per label), wait for the
// import, read the label counts, open a label's images and one image large, train a small model and watch its
// progress, move the score-threshold slider and compare precision and recall with the evaluation's table
// (fetched over REST), open a confusion-matrix cell's TEST images, deploy, and predict an image.
//
//   NIMBUS_URL=http://127.0.0.1:8471 NIMBUS_IMAGES=/tmp/clouds NIMBUS_SHOTS=/tmp/shots node e2e/console.e2e.mjs
//
// Optional: NIMBUS_API_KEY (typed into the console's API key field and sent on REST calls), NIMBUS_CHROMIUM
// (default /usr/bin/chromium), NIMBUS_E2E_TIMEOUT_S (default 300). Exits 1 with a message on any failure, after a
// screenshot of the page as it was.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') fail(`environment variable ${name} is required`);
  return v;
};
function fail(message) {
  console.error(`console e2e FAILED: ${message}`);
  process.exit(1);
}

const BASE = env('NIMBUS_URL').replace(/\/$/, '');
const IMAGES = resolve(env('NIMBUS_IMAGES'));
const SHOTS = resolve(env('NIMBUS_SHOTS'));
const API_KEY = process.env.NIMBUS_API_KEY ?? '';
const CHROMIUM = process.env.NIMBUS_CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT_S = Number(process.env.NIMBUS_E2E_TIMEOUT_S ?? 300);
mkdirSync(SHOTS, { recursive: true });

// What the folder holds: label -> image files.
const IMAGE_RE = /\.(jpe?g|png|gif|bmp|webp|tiff?)$/i;
const expected = new Map();
for (const label of readdirSync(IMAGES).sort()) {
  const dir = join(IMAGES, label);
  if (!statSync(dir).isDirectory()) continue;
  const files = readdirSync(dir).filter((f) => IMAGE_RE.test(f)).sort();
  if (files.length) expected.set(label, files.map((f) => join(dir, f)));
}
if (expected.size < 2) fail(`${IMAGES} must hold at least two label folders with images`);
const totalImages = [...expected.values()].reduce((n, f) => n + f.length, 0);
const labels = [...expected.keys()];

const started = Date.now();
const watchdog = setTimeout(() => fail(`the journey took longer than ${TIMEOUT_S} s`), TIMEOUT_S * 1000);
watchdog.unref();

/** Throws `message` (a string, or a function making one, so that it costs nothing when all is well) unless true. */
async function check(condition, message) {
  if (!condition) throw new Error(typeof message === 'function' ? await message() : message);
}
const log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`);

async function rest(path) {
  const response = await fetch(`${BASE}/v1/${path}`, { headers: API_KEY ? { 'x-api-key': API_KEY } : {} });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET /v1/${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
}).catch((e) => fail(`cannot start ${CHROMIUM}: ${e.message}`));
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
context.setDefaultTimeout(20_000);
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => {
  if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`console: ${m.text()}`);
});
// Requests the server answered with 5xx: a console that works never causes one.
const serverErrors = [];
page.on('response', (r) => {
  if (r.status() >= 500) serverErrors.push(`${r.request().method()} ${r.url()} -> ${r.status()}`);
});

// Slow API calls are worth knowing about when a run is slow.
page.on('requestfinished', (r) => {
  const t = r.timing();
  if (r.url().includes('/v1/') && t.responseEnd > 2000) log(`slow: ${r.method()} ${r.url()} took ${Math.round(t.responseEnd)} ms`);
});

let shot = 0;
async function screenshot(name) {
  shot++;
  const file = join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  // From the top, so that the sticky bar is where a person sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

let currentStep = '';
async function step(name, fn) {
  currentStep = name;
  const t = Date.now();
  await fn();
  log(`ok: ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

/** Waits until every <img> inside `locator` has loaded with real pixels. */
async function imagesLoaded(locator, what) {
  await page.waitForFunction((el) => {
    const imgs = [...el.querySelectorAll('img')];
    return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, await locator.elementHandle(), { timeout: 20_000 }).catch(async () => {
    const broken = await locator.locator('img').evaluateAll((imgs) =>
      imgs.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.getAttribute('src')));
    throw new Error(`${what}: images did not load: ${broken.slice(0, 5).join(', ')}`);
  });
}

const suffix = Date.now().toString(36);
const datasetId = `e2e_${suffix}`;
const modelId = `e2e_${suffix}_m`;

try {
  await step('the console opens on the datasets page', async () => {
    await page.goto(`${BASE}/`);
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor();
    if (API_KEY) {
      // Without the key the server refuses: the console shows its message and the key field.
      await page.getByRole('alert').filter({ hasText: /API key/ }).first().waitFor();
      const field = page.getByLabel('API key', { exact: true });
      if (!await field.isVisible()) await page.getByRole('button', { name: /^API key/ }).click();
      await screenshot('api-key');
      await field.fill(API_KEY);
      await page.getByRole('button', { name: 'Save key' }).click();
      await page.getByRole('button', { name: 'API key: set' }).waitFor();
    }
    await page.getByText('No datasets yet.').or(page.getByRole('table', { name: 'Datasets' })).waitFor();
    await check(await page.getByRole('alert').count() === 0, async () => `the datasets page shows an error: ${await page.getByRole('alert').first().innerText()}`);
    await screenshot('datasets');
  });

  await step('create a MULTICLASS dataset', async () => {
    await page.getByRole('button', { name: 'New dataset', exact: true }).click();
    await page.getByLabel('Dataset ID').fill(datasetId);
    await page.getByLabel('Display name').fill(`Clouds ${suffix}`);
    await page.getByRole('radio', { name: /MULTICLASS/ }).check();
    await screenshot('create-dataset');
    await page.getByRole('button', { name: 'Create dataset' }).click();
    await page.getByRole('heading', { level: 1, name: `Clouds ${suffix}` }).waitFor();
    await check(page.url().includes(`datasets/${datasetId}/import`), `expected the import page, got ${page.url()}`);
  });

  await step('choose the folder and see what it holds', async () => {
    await page.getByLabel('Choose a folder').setInputFiles(IMAGES);
    await page.getByRole('heading', { name: `${totalImages} images in ${labels.length} labels` }).waitFor();
    await screenshot('import-plan');
  });

  await step('upload and import, following the progress', async () => {
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.getByRole('heading', { name: 'Upload', exact: true }).waitFor();
    log('upload started');
    await page.getByRole('heading', { name: /^Import (succeeded|failed|cancelled)$/ }).waitFor({ timeout: 90_000 });
    log('import done');
    const title = await page.getByRole('heading', { name: /^Import / }).first().textContent();
    await check(title === 'Import succeeded', async () => `the import ended as "${title}": ${await page.locator('main').innerText()}`);
    const status = await page.getByRole('status').filter({ hasText: /^Uploaded|already on the server/ }).textContent();
    await check(new RegExp(`(Uploaded ${totalImages} of ${totalImages} images|All ${totalImages} images were already)`).test(status),
      `upload status says: ${status}`);
    const rejected = page.getByRole('table', { name: 'Rejected rows' });
    await check(await rejected.count() === 0, async () => `rows were rejected: ${await rejected.innerText()}`);
  });

  await step('the label counts are those of the folder', async () => {
    const table = page.getByRole('table', { name: 'Label counts' });
    await table.waitFor();
    for (const [label, files] of expected) {
      const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });
      const cells = await row.getByRole('cell').allTextContents();
      await check(Number(cells[0]?.replace(/,/g, '')) === files.length, `label ${label}: the table says ${cells[0]}, the folder has ${files.length}`);
      const splits = cells.slice(1, 4).map((c) => Number(c.replace(/,/g, '')));
      await check(splits.reduce((a, b) => a + b, 0) === files.length, `label ${label}: TRAIN+VALIDATION+TEST = ${splits.join('+')} != ${files.length}`);
    }
    await screenshot('import-done');
  });

  const label = labels[0];
  await step(`open the ${label} images in the grid`, async () => {
    await page.getByRole('link', { name: 'See the images' }).click();
    await page.getByRole('table', { name: 'Label counts' }).getByRole('link', { name: label, exact: true }).click();
    const n = expected.get(label).length;
    await page.getByText(`${n} images labelled ${label}`).waitFor();
    const grid = page.getByRole('list', { name: 'Images' });
    const tiles = grid.getByRole('button');
    await tiles.first().waitFor();
    await check(await tiles.count() === Math.min(n, 48), async () => `the grid shows ${await tiles.count()} images of ${label}, expected ${n}`);
    for (const name of await tiles.evaluateAll((b) => b.map((x) => x.getAttribute('aria-label')))) {
      await check(name.includes(label), `a tile in the ${label} grid is "${name}"`);
    }
    await imagesLoaded(grid, 'the thumbnails');
    await check(page.url().includes(`label=${label}`), `the filter is not in the URL: ${page.url()}`);
    await screenshot('label-grid');
  });

  await step('open one image large', async () => {
    await page.getByRole('list', { name: 'Images' }).getByRole('button').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: /^Image / }).waitFor();
    await dialog.getByRole('img', { name: new RegExp(`labelled ${label}`) }).waitFor();
    await imagesLoaded(dialog, 'the large image');
    const text = await dialog.innerText();
    await check(/Split\s+(TRAIN|VALIDATION|TEST)/.test(text), `the image's split is not shown: ${text}`);
    await screenshot('image-large');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  await step('start training a small scratch_cnn model', async () => {
    await page.getByRole('link', { name: 'Train a model' }).click();
    await page.getByLabel('Model ID').fill(modelId);
    await page.getByLabel('Base model').selectOption('scratch_cnn');
    // A small budget, and epochs enough that training lasts it out (45 small images take ~0.1 s an epoch).
    await page.getByLabel('Training budget (seconds)').fill('12');
    await page.getByLabel('Maximum epochs').fill('400');
    await screenshot('train-form');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByRole('heading', { level: 2, name: /^Training( succeeded| failed| cancelled)?$/ }).waitFor();
  });

  await step('watch the live training progress until it ends', async () => {
    const seen = new Set();
    let shotTaken = false;
    let liveChart = false;
    const deadline = Date.now() + 180_000;
    const card = page.getByRole('heading', { level: 2, name: /^Training( succeeded| failed| cancelled)?$/ });
    const finished = page.getByRole('link', { name: 'See the evaluation' });
    for (;;) {
      // The card goes once training has succeeded and the model says so: read it without waiting.
      const heading = await card.textContent({ timeout: 500 }).catch(() => null);
      if (heading !== null) {
        await check(heading === 'Training' || heading === 'Training succeeded',
          async () => `training ended as "${heading}": ${await page.locator('main').innerText()}`);
        const status = await page.getByRole('status').filter({ hasText: /^(Stage|Starting)/ }).first()
          .textContent({ timeout: 500 }).catch(() => '');
        if (heading === 'Training' && status) {
          seen.add(status.split(' · ').filter((part) => /^(Stage|Epoch)/.test(part)).join(' · '));
          if (/Epoch \d+/.test(status) && await page.getByRole('img', { name: /^Loss \(live\)/ }).count()) liveChart = true;
        }
        if (!shotTaken && /Epoch ([3-9]|\d\d+)/.test(status)) {
          await screenshot('training-live');
          shotTaken = true;
        }
      } else if (await finished.count()) {
        break;
      }
      await check(Date.now() < deadline, `training still running after 180 s; seen: ${[...seen].join(' | ')}`);
      await page.waitForTimeout(250);
    }
    await check([...seen].some((s) => /^Stage: training · Epoch \d+/.test(s)),
      `no epoch was shown while training (seen: ${[...seen].join(' | ') || 'nothing'})`);
    await check(liveChart, 'the live loss chart was not drawn while training');
    log(`progress seen: ${[...seen].join(' | ')}`);
    await screenshot('model-overview');
  });

  await step('the threshold slider shows the evaluation table\'s precision and recall', async () => {
    await page.getByRole('link', { name: 'Evaluate', exact: true }).click();
    const slider = page.getByRole('slider', { name: 'Score threshold' });
    await slider.waitFor();
    const evaluations = (await rest(`models/${modelId}/modelEvaluations`)).modelEvaluations ?? [];
    const overall = evaluations.find((e) => !e.label);
    await check(overall, `GET models/${modelId}/modelEvaluations has no overall evaluation`);
    const table = [...overall.classificationEvaluationMetrics.confidenceMetrics]
      .sort((a, b) => (a.confidenceThreshold ?? 0) - (b.confidenceThreshold ?? 0));
    await check(table.length >= 20, `the threshold table has ${table.length} entries`);
    // proto3 JSON leaves zeros out, and writes NaN as "NaN".
    const num = (v) => (v === undefined ? 0 : typeof v === 'number' ? v : Number(v));
    const pct = (v) => (Number.isFinite(num(v)) ? `${(num(v) * 100).toFixed(1)}%` : 'n/a');
    const metric = async (name) => {
      const group = page.getByRole('group', { name, exact: true });
      return { text: (await group.locator('data').textContent()).trim(), raw: await group.locator('data').getAttribute('value') };
    };
    // Keyboard: Home goes to the first threshold, each ArrowRight to the next one in the table.
    await slider.focus();
    await page.keyboard.press('Home');
    let index = 0;
    for (const target of [0, 6, 10, 16, table.length - 1]) {
      while (index < target) {
        await page.keyboard.press('ArrowRight');
        index++;
      }
      const entry = table[index];
      const threshold = (entry.confidenceThreshold ?? 0).toFixed(2);
      await page.getByRole('status', { name: 'Selected threshold' }).getByText(threshold, { exact: true }).waitFor();
      const valueText = await slider.getAttribute('aria-valuetext');
      await check(valueText === threshold, `the slider says ${valueText}, expected ${threshold}`);
      const precision = await metric('Precision');
      const recall = await metric('Recall');
      await check(precision.text === pct(entry.precision), `at ${threshold} the page shows precision ${precision.text}, the table has ${entry.precision}`);
      await check(recall.text === pct(entry.recall), `at ${threshold} the page shows recall ${recall.text}, the table has ${entry.recall}`);
      await check(Object.is(Number(precision.raw), num(entry.precision)), `at ${threshold} the raw precision is ${precision.raw}, the table has ${entry.precision}`);
      await check(Object.is(Number(recall.raw), num(entry.recall)), `at ${threshold} the raw recall is ${recall.raw}, the table has ${entry.recall}`);
      const tp = await metric('True positives');
      await check(Number(tp.raw) === Number(entry.truePositiveCount ?? 0), `at ${threshold} TP ${tp.raw} != ${entry.truePositiveCount}`);
      if (target === 10) await screenshot('evaluation');
    }
    await check(page.url().includes('threshold='), `the threshold is not in the URL: ${page.url()}`);
  });

  await step('a confusion-matrix cell opens the TEST images it counts', async () => {
    const evaluations = (await rest(`models/${modelId}/modelEvaluations`)).modelEvaluations ?? [];
    const cm = evaluations.find((e) => !e.label).classificationEvaluationMetrics.confusionMatrix;
    const rows = cm.rows.map((r) => (r.exampleCount ?? []).map(Number));
    // A diagonal cell (right answers) and, when there is one, an off-diagonal one (mistakes).
    const cells = [];
    for (let i = 0; i < cm.labels.length; i++) if (rows[i][i] > 0) { cells.push([i, i]); break; }
    outer: for (let i = 0; i < cm.labels.length; i++) for (let j = 0; j < cm.labels.length; j++) {
      if (i !== j && rows[i][j] > 0) { cells.push([i, j]); break outer; }
    }
    await check(cells.length > 0, 'the confusion matrix is empty');
    const matrix = page.getByRole('table', { name: 'Confusion matrix' });
    for (const [i, j] of cells) {
      const n = rows[i][j];
      const name = `true ${cm.labels[i]}, predicted ${cm.labels[j]}: ${n} image${n === 1 ? '' : 's'}`;
      await matrix.getByRole('button', { name, exact: true }).click();
      const region = page.getByRole('region', { name: `${n} TEST image${n === 1 ? '' : 's'}: true ${cm.labels[i]}, predicted ${cm.labels[j]}` });
      await region.waitFor();
      const tiles = region.getByRole('list').getByRole('button');
      await check(await tiles.count() === n, async () => `the cell counts ${n} images, ${await tiles.count()} are shown`);
      await imagesLoaded(region, 'the cell\'s images');
      for (const [k, tile] of (await tiles.all()).entries()) {
        const aria = await tile.getAttribute('aria-label');
        await check(aria.includes(`true: ${cm.labels[i]}`) && aria.includes(`predicted: ${cm.labels[j]}`), `image ${k} of the cell is "${aria}"`);
      }
      // Every image shown is a TEST image of that true label.
      const test = (await rest(`datasets/${datasetId}/examples?pageSize=1000&filter=${encodeURIComponent(`label = "${cm.labels[i]}" AND ml_use = TEST`)}`)).examples ?? [];
      const testIds = new Set(test.map((e) => e.name.split('/').pop().slice(0, 10)));
      for (const aria of await tiles.evaluateAll((b) => b.map((x) => x.getAttribute('aria-label')))) {
        const id = aria.replace(/^Image (\S+),.*$/, '$1');
        await check(testIds.has(id), `image ${id} of the cell is not a TEST image labelled ${cm.labels[i]}`);
      }
      await screenshot(i === j ? 'confusion-cell-right' : 'confusion-cell-wrong');
    }
  });

  await step('deploy the model', async () => {
    await page.getByRole('link', { name: 'Deploy & test' }).click();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText('Deployment state: deployed (available)').waitFor({ timeout: 90_000 });
  });

  await step('predict an image and see its top label', async () => {
    const file = expected.get(label)[0];
    await page.getByLabel('Choose images').setInputFiles(file);
    const result = page.getByRole('list', { name: 'Predictions' }).getByRole('listitem').first();
    await result.getByText(/^Top label: |No label scores/).waitFor({ timeout: 30_000 });
    // At threshold 0 every label is listed, so there always is a top label; it must be one of the dataset's.
    await page.getByLabel('Score threshold').fill('0');
    await page.getByLabel('Score threshold').press('Tab');
    const scores = page.getByRole('list', { name: /^Scores of / }).getByRole('listitem');
    await scores.nth(labels.length - 1).waitFor({ timeout: 30_000 });
    await check(await scores.count() === labels.length, async () => `${await scores.count()} labels scored at threshold 0, expected ${labels.length}`);
    const topText = await result.getByText(/^Top label: /).textContent();
    const top = topText.replace(/^Top label: (\S+) .*$/, '$1');
    await check(labels.includes(top), `the top label is "${topText}", not one of ${labels.join(', ')}`);
    const shown = await scores.allTextContents();
    await check(shown[0].startsWith(top), `the first score bar is "${shown[0]}", the top label ${top}`);
    await page.getByRole('group', { name: 'Timings' }).getByText('Engine').waitFor();
    await page.getByRole('region', { name: 'The same call from code' }).getByText(`/v1/models/${modelId}:predict`).waitFor();
    log(`predicted ${file}: ${top}`);
    await screenshot('predict');
  });

  await step('the operations page lists the import and the training', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
    const table = page.getByRole('table', { name: 'Operations' });
    await table.getByRole('link', { name: `datasets/${datasetId}` }).first().waitFor();
    await table.getByRole('link', { name: `models/${modelId}` }).first().waitFor();
    await screenshot('operations');
  });

  await step('the datasets page lists the dataset, and works at phone width', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    await page.getByRole('link', { name: `Clouds ${suffix}` }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: `Clouds ${suffix}` }).click();
    await page.getByRole('list', { name: 'Images' }).getByRole('button').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await check(overflow <= 1, `at 390 px the page scrolls sideways by ${overflow} px`);
    // Scroll down as a person would: the lazy thumbnails load on the way.
    await page.evaluate(async () => {
      for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 60));
      }
    });
    await imagesLoaded(page.getByRole('list', { name: 'Images' }), 'the thumbnails at phone width');
    await screenshot('dataset-phone');
  });

  await step('delete the dataset, after a confirmation', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
    const remove = page.getByRole('button', { name: `Delete dataset ${datasetId}` });
    await remove.click();
    const dialog = page.getByRole('dialog', { name: `Delete dataset ${datasetId}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await check((await rest(`datasets/${datasetId}`)).name === `datasets/${datasetId}`, 'Cancel deleted the dataset');
    await remove.click();
    await dialog.getByRole('button', { name: 'Delete dataset' }).click();
    await page.getByRole('link', { name: `Clouds ${suffix}` }).waitFor({ state: 'detached', timeout: 60_000 });
    const gone = await fetch(`${BASE}/v1/datasets/${datasetId}`, { headers: API_KEY ? { 'x-api-key': API_KEY } : {} });
    await check(gone.status === 404, `GET the deleted dataset: HTTP ${gone.status}`);
  });

  await check(pageErrors.length === 0, `the page reported errors:\n  ${pageErrors.join('\n  ')}`);
  await check(serverErrors.length === 0, `the server answered with errors:\n  ${serverErrors.join('\n  ')}`);
} catch (e) {
  try {
    await page.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true });
    console.error(`screenshot of the failure: ${join(SHOTS, 'failure.png')}`);
  } catch {
    // The browser is gone; the message says enough.
  }
  if (pageErrors.length) console.error(`page errors:\n  ${pageErrors.join('\n  ')}`);
  if (serverErrors.length) console.error(`server errors:\n  ${serverErrors.join('\n  ')}`);
  await browser.close().catch(() => {});
  fail(`${currentStep}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
}
await browser.close();
log(`console e2e passed: ${shot} screenshots in ${SHOTS}`);
