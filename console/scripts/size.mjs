// Prints the gzipped size of the built JS and CSS, and fails the build above the budget (300 KB).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(js|css)$/.test(name)) files.push(p);
  }
};
walk(dist);
let raw = 0;
let gz = 0;
for (const f of files) {
  const data = readFileSync(f);
  const z = gzipSync(data, { level: 9 }).length;
  raw += data.length;
  gz += z;
  console.log(`  ${f.slice(dist.length).padEnd(40)} ${(data.length / 1024).toFixed(1).padStart(7)} KB  gzip ${(z / 1024).toFixed(1).padStart(6)} KB`);
}
console.log(`console bundle: JS+CSS ${(raw / 1024).toFixed(1)} KB, gzipped ${(gz / 1024).toFixed(1)} KB (budget ${BUDGET / 1024} KB)`);
if (gz > BUDGET) {
  console.error(`the console bundle is over its budget: ${(gz / 1024).toFixed(1)} KB gzipped > ${BUDGET / 1024} KB`);
  process.exit(1);
}
