// Writes a synthetic FHIR Bulk Data export folder for the batch benchmark:
// the hepatica-fhir test Bundles (those whose resources point at their
// Patient as `Patient/p1`) repeated until N patients, each copy with its own
// Patient id, split into one NDJSON file per resource type and shuffled across
// patients the way a real export is (grouped by type, not by patient).
//
//   node bench/make-bulk.js OUT_DIR N

'use strict';

const fs = require('fs');
const path = require('path');

const FIXTURES = [
  'bowel-braf-v600e',
  'bowel-kras-g12c',
  'bowel-msi-high',
  'breast-er-pr-her2',
  'lung-egfr-pdl1',
  'net-pancreas',
  'prostate-bone',
  'unknown-primary',
  'messy-duplicates',
  'messy-unknown-systems',
];

const [outDir, nArg] = process.argv.slice(2);
const n = Number(nArg || 20000);
if (!outDir || !(n > 0)) {
  console.error('usage: node bench/make-bulk.js OUT_DIR N');
  process.exit(2);
}
const fixtures = path.join(__dirname, '..', 'crates', 'fhir', 'tests', 'fixtures');
const templates = FIXTURES.map((f) => fs.readFileSync(path.join(fixtures, `${f}.json`), 'utf8'));
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const streams = new Map();
const write = (type, line) => {
  if (!streams.has(type)) streams.set(type, fs.openSync(path.join(outDir, `${type}.ndjson`), 'w'));
  fs.writeSync(streams.get(type), line + '\n');
};
for (let i = 0; i < n; i++) {
  const id = `bulk-${String(i).padStart(7, '0')}`;
  const bundle = JSON.parse(templates[i % templates.length].replaceAll('"Patient/p1"', `"Patient/${id}"`));
  for (const e of bundle.entry || []) {
    const r = e.resource;
    if (!r || !r.resourceType) continue;
    if (r.resourceType === 'Patient') r.id = id;
    else if (r.id) r.id = `${r.id}-${i}`;
    write(r.resourceType, JSON.stringify(r));
  }
}
for (const fd of streams.values()) fs.closeSync(fd);
console.error(`wrote ${n} patients in ${streams.size} files to ${outDir}`);
