// Peer benchmark: runs the json-rules-engine version of four Hepatica
// treatments (rules.js) over an NDJSON file of cases, times it, then checks
// its answers against Hepatica's batch output for the same file.
//
//   node run.js --cases in.ndjson --hepatica out.ndjson --thresholds ../../content/thresholds.toml [--json result.json]
//
// Timed part: read the file, JSON.parse each line, flatten it to facts,
// run the engine (one case at a time: measured fastest; PEER_BATCH=n runs n at once), fold the events. Not
// timed: loading the rules and the comparison afterwards.

'use strict';

const fs = require('fs');
const readline = require('readline');
const { Engine } = require('json-rules-engine');
const { rules, fold, TREATMENTS } = require('./rules');

const BATCH = Number(process.env.PEER_BATCH || 1);

function args() {
  const a = {};
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) a[v[i].replace(/^--/, '')] = v[i + 1];
  for (const k of ['cases', 'hepatica', 'thresholds']) if (!a[k]) throw new Error(`--${k} is required`);
  return a;
}

/** Reads `id = "..."` / `value = N` pairs from content/thresholds.toml (its [[threshold]] tables). */
function thresholds(path) {
  const t = {};
  const text = fs.readFileSync(path, 'utf8');
  for (const block of text.split('[[threshold]]').slice(1)) {
    const id = /^id\s*=\s*"([^"]+)"/m.exec(block);
    const value = /^value\s*=\s*([-0-9.]+)/m.exec(block);
    if (id && value) t[id[1]] = Number(value[1]);
  }
  return t;
}

/** The flattened facts of one case; unknown values are null. */
function facts(c, t) {
  const b = c.biomarkers || {};
  const l = c.liver || {};
  const bio = (k) => (b[k] === undefined || b[k] === 'unknown' ? null : b[k]);
  const needed = {
    normal: t['flr.normal_min_percent'],
    chemotherapy_injured: t['flr.chemotherapy_injured_min_percent'],
    cirrhosis: t['flr.cirrhosis_min_percent'],
  };
  const spread = Array.isArray(c.spread_elsewhere) ? c.spread_elsewhere : null;
  return {
    site: c.primary_site,
    ER: bio('ER'),
    PR: bio('PR'),
    HER2: bio('HER2'),
    MSI: bio('MSI'),
    SSTR: bio('SSTR'),
    HLA_A0201: bio('HLA_A0201'),
    PD_L1: bio('PD_L1'),
    EGFR: bio('EGFR'),
    ALK: bio('ALK'),
    ROS1: bio('ROS1'),
    MET_EX14: bio('MET_EX14'),
    RET: bio('RET'),
    NTRK: bio('NTRK'),
    all_removable: l.all_removable ?? null,
    flr: l.future_liver_remnant_percent ?? null,
    flr_needed: l.liver_condition ? needed[l.liver_condition] : null,
    largest_cm: l.largest_tumour_cm ?? null,
    count: l.tumour_count ?? null,
    fit: c.fit_for_major_surgery ?? null,
    ps: c.performance_status ?? null,
    liver_only: spread === null ? null : spread.length === 0,
    spread_lung_only: spread !== null && spread.length > 0 && spread.every((s) => s === 'lung'),
  };
}

async function main() {
  const a = args();
  const t = thresholds(a.thresholds);
  const engine = new Engine(rules(t), { allowUndefinedFacts: true });

  // ---- timed: evaluate every case
  const ids = [];
  const answers = []; // per case, the four suitabilities joined by ','
  const started = process.hrtime.bigint();
  const input = readline.createInterface({ input: fs.createReadStream(a.cases), crlfDelay: Infinity });
  let batch = [];
  const flush = async () => {
    const results = await Promise.all(batch.map((f) => engine.run(f)));
    for (const r of results) {
      const per = {};
      for (const tr of TREATMENTS) per[tr] = [];
      for (const e of r.events) per[e.type].push(e.params);
      answers.push(TREATMENTS.map((tr) => fold(per[tr])).join(','));
    }
    batch = [];
  };
  for await (const line of input) {
    if (!line.trim()) continue;
    let c;
    try {
      c = JSON.parse(line);
    } catch {
      continue;
    }
    ids.push(c.id);
    batch.push(facts(c, t));
    if (batch.length === BATCH) await flush();
  }
  if (batch.length) await flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  // ---- not timed: compare with Hepatica's output (same order, one line per valid case)
  const hep = readline.createInterface({ input: fs.createReadStream(a.hepatica), crlfDelay: Infinity });
  const agree = Object.fromEntries(TREATMENTS.map((tr) => [tr, 0]));
  const disagreements = [];
  let i = 0;
  let compared = 0;
  for await (const line of hep) {
    if (!line.trim()) continue;
    const h = JSON.parse(line);
    // Hepatica writes only valid cases; the peer skipped only unparseable lines.
    while (i < ids.length && ids[i] !== h.case_id) i++;
    if (i >= ids.length) break;
    const mine = answers[i].split(',');
    compared++;
    TREATMENTS.forEach((tr, k) => {
      if (h.suitability[tr] === mine[k]) agree[tr]++;
      else if (disagreements.length < 20) disagreements.push({ case_id: h.case_id, treatment: tr, hepatica: h.suitability[tr], peer: mine[k] });
    });
    i++;
  }
  const total = compared * TREATMENTS.length;
  const agreed = Object.values(agree).reduce((x, y) => x + y, 0);
  const result = {
    peer: 'json-rules-engine 7.3.1',
    node: process.version,
    cases: ids.length,
    rules: rules(t).length,
    seconds,
    cases_per_second: ids.length / seconds,
    compared,
    agreement_percent: total ? (100 * agreed) / total : 0,
    agreement_by_treatment: Object.fromEntries(TREATMENTS.map((tr) => [tr, compared ? (100 * agree[tr]) / compared : 0])),
    disagreements,
  };
  if (a.json) fs.writeFileSync(a.json, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
