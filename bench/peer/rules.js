// The core suitability rules of four Hepatica treatments (surgery, ablation,
// immunotherapy, hormonal therapy), written as json-rules-engine rules.
//
// Transcribed from crates/engine/src/rules.rs (fns surgery, ablation,
// immunotherapy, hormonal) so the peer gives the same answers; numbers come
// from content/thresholds.toml, as in the engine. Each rule fires an event
// for one treatment:
//   { kind: "base", level }  the starting level for the primary site
//   { kind: "cap", level }   a criterion not met lowers the level to at most `level`
//   { kind: "blocked" }      a deciding input is missing
// and `fold` combines them exactly as the engine's Opt::level does:
// unlikely if the base or a cap is unlikely; otherwise depends if the base is
// depends or something blocked; otherwise the lower of base and caps.
// Facts are a flattened case (see facts() in run.js); unknown values are null.

'use strict';

const ORDER = { unlikely: 0, depends: 1, possible: 2, usual: 3 };

const is = (fact, value) => ({ fact, operator: 'equal', value });
const isIn = (fact, values) => ({ fact, operator: 'in', value: values });
const unknown = (fact) => ({ fact, operator: 'equal', value: null });
const gt = (fact, value) => ({ fact, operator: 'greaterThan', value });
const lt = (fact, value) => ({ fact, operator: 'lessThan', value });
const le = (fact, value) => ({ fact, operator: 'lessThanInclusive', value });
const ge = (fact, value) => ({ fact, operator: 'greaterThanInclusive', value });
const all = (...c) => ({ all: c });
const any = (...c) => ({ any: c });
const not = (c) => ({ not: c });

function rule(treatment, name, condition, kind, level) {
  // json-rules-engine wants all/any/not at the root.
  const conditions = condition.all || condition.any || condition.not ? condition : { all: [condition] };
  return { name: `${treatment}: ${name}`, conditions, event: { type: treatment, params: { kind, level } } };
}

/** Builds the rules with the knowledge-base thresholds `t` (id -> number). */
function rules(t) {
  const need = (id) => {
    if (typeof t[id] !== 'number') throw new Error(`threshold ${id} missing from content/thresholds.toml`);
    return t[id];
  };
  const out = [];

  // ---- surgery
  const S = (name, cond, kind, level) => out.push(rule('surgery', name, cond, kind, level));
  S('bowel', is('site', 'bowel'), 'base', 'usual');
  S('selected sites', isIn('site', ['neuroendocrine', 'breast', 'kidney', 'gist', 'ovary', 'womb', 'uveal_melanoma']), 'base', 'possible');
  S('other primary', is('site', 'other'), 'base', 'depends');
  S('rarely for these sites', isIn('site', ['melanoma', 'stomach', 'oesophagus', 'pancreas', 'lung', 'prostate', 'unknown']), 'base', 'unlikely');
  S('not all removable', is('all_removable', false), 'cap', 'unlikely');
  S('removability unknown', unknown('all_removable'), 'blocked');
  const remnantTooSmall = any(
    all(ge('flr_needed', 0), lt('flr', { fact: 'flr_needed' })),
    all(unknown('flr_needed'), lt('flr', need('flr.normal_min_percent'))),
  );
  // Bowel and NET: the remnant can often be grown first (PVE, two-stage surgery), so only possible.
  S('remnant too small, can be grown', all(isIn('site', ['bowel', 'neuroendocrine']), remnantTooSmall), 'cap', 'possible');
  S('remnant too small', all(not(isIn('site', ['bowel', 'neuroendocrine'])), remnantTooSmall), 'cap', 'unlikely');
  S(
    'remnant unknown',
    any(unknown('flr'), all(unknown('flr_needed'), ge('flr', need('flr.normal_min_percent')), lt('flr', need('flr.cirrhosis_min_percent')))),
    'blocked',
  );
  S('not fit', any(gt('ps', need('surgery.max_ps')), is('fit', false)), 'cap', 'unlikely');
  S('fitness unknown', all(unknown('fit'), not(le('ps', need('surgery.max_ps_implied_fit')))), 'blocked');
  S('spread unknown', unknown('liver_only'), 'blocked');
  S('bowel with lung spread only', all(is('site', 'bowel'), is('spread_lung_only', true)), 'cap', 'possible');
  S('spread elsewhere', all(is('liver_only', false), not(all(is('site', 'bowel'), is('spread_lung_only', true)))), 'cap', 'unlikely');

  // ---- ablation
  const A = (name, cond, kind, level) => out.push(rule('ablation', name, cond, kind, level));
  A('any site', { all: [] }, 'base', 'possible');
  A('too large', gt('largest_cm', need('ablation.max_cm')), 'cap', 'unlikely');
  A('medium size', all(gt('largest_cm', need('ablation.ideal_max_cm')), le('largest_cm', need('ablation.max_cm'))), 'cap', 'possible');
  A('size unknown', unknown('largest_cm'), 'blocked');
  A('too many', gt('count', need('ablation.max_count')), 'cap', 'unlikely');
  A('count unknown', unknown('count'), 'blocked');
  A('spread elsewhere', is('liver_only', false), 'cap', 'unlikely');
  A('spread unknown', unknown('liver_only'), 'blocked');
  A('performance status poor', gt('ps', need('ablation.max_ps')), 'cap', 'unlikely');

  // ---- immunotherapy
  const I = (name, cond, kind, level) => out.push(rule('immunotherapy', name, cond, kind, level));
  I('bowel MSI-high', all(is('site', 'bowel'), is('MSI', 'high')), 'base', 'usual');
  I('bowel MSS', all(is('site', 'bowel'), is('MSI', 'stable')), 'cap', 'unlikely');
  I('bowel MSI unknown', all(is('site', 'bowel'), unknown('MSI')), 'base', 'depends');
  I('melanoma, kidney', isIn('site', ['melanoma', 'kidney']), 'base', 'usual');
  // Lung: a driver that targeted tablets treat first rules immunotherapy out; otherwise EGFR and ALK must be known.
  const lungDriver = any(...['EGFR', 'ALK', 'ROS1', 'MET_EX14', 'RET', 'NTRK'].map((b) => is(b, 'present')));
  I('lung with a first-line driver', all(is('site', 'lung'), lungDriver), 'cap', 'unlikely');
  I('lung, EGFR or ALK unknown', all(is('site', 'lung'), not(lungDriver), any(unknown('EGFR'), unknown('ALK'))), 'base', 'depends');
  I('lung without a driver', all(is('site', 'lung'), not(lungDriver), not(unknown('EGFR')), not(unknown('ALK'))), 'base', 'usual');
  I('uveal HLA-A*02:01', all(is('site', 'uveal_melanoma'), is('HLA_A0201', 'present')), 'base', 'usual');
  I('uveal not HLA-A*02:01', all(is('site', 'uveal_melanoma'), is('HLA_A0201', 'absent')), 'cap', 'unlikely');
  I('uveal HLA unknown', all(is('site', 'uveal_melanoma'), unknown('HLA_A0201')), 'base', 'depends');
  const hrPositive = any(is('ER', 'positive'), is('PR', 'positive'));
  const hrNegative = all(is('ER', 'negative'), is('PR', 'negative'));
  const tripleNegative = all(hrNegative, isIn('HER2', ['negative', 'low']));
  const notTripleNegative = any(hrPositive, is('HER2', 'positive'));
  I('breast not triple-negative', all(is('site', 'breast'), notTripleNegative), 'base', 'unlikely');
  I('breast TNBC PD-L1', all(is('site', 'breast'), tripleNegative, isIn('PD_L1', ['high', 'positive'])), 'base', 'possible');
  I('breast TNBC PD-L1 negative', all(is('site', 'breast'), tripleNegative, is('PD_L1', 'negative')), 'cap', 'unlikely');
  I('breast TNBC PD-L1 unknown', all(is('site', 'breast'), tripleNegative, unknown('PD_L1')), 'base', 'depends');
  I('breast receptors unknown', all(is('site', 'breast'), not(tripleNegative), not(notTripleNegative)), 'base', 'depends');
  I('stomach, oesophagus, womb', isIn('site', ['stomach', 'oesophagus', 'womb']), 'base', 'possible');
  I('other primary', is('site', 'other'), 'base', 'depends');
  I('not standard', isIn('site', ['pancreas', 'prostate', 'neuroendocrine', 'ovary', 'gist', 'unknown']), 'base', 'unlikely');
  I('performance status 3-4', gt('ps', need('chemo.max_ps_any')), 'cap', 'unlikely');

  // ---- hormonal therapy
  const H = (name, cond, kind, level) => out.push(rule('hormonal_therapy', name, cond, kind, level));
  H('breast receptor positive', all(is('site', 'breast'), hrPositive), 'base', 'usual');
  H('breast receptor negative', all(is('site', 'breast'), hrNegative), 'base', 'unlikely');
  H('breast receptors unknown', all(is('site', 'breast'), not(hrPositive), not(hrNegative)), 'base', 'depends');
  H('prostate', is('site', 'prostate'), 'base', 'usual');
  H('NET SSTR positive', all(is('site', 'neuroendocrine'), is('SSTR', 'positive')), 'base', 'usual');
  H('NET SSTR negative', all(is('site', 'neuroendocrine'), is('SSTR', 'negative')), 'base', 'unlikely');
  H('NET SSTR unknown', all(is('site', 'neuroendocrine'), unknown('SSTR')), 'base', 'depends');
  H('womb/ovary receptor positive', all(isIn('site', ['womb', 'ovary']), hrPositive), 'base', 'possible');
  H('womb/ovary receptor negative', all(isIn('site', ['womb', 'ovary']), hrNegative), 'base', 'unlikely');
  H('womb/ovary receptors unknown', all(isIn('site', ['womb', 'ovary']), not(hrPositive), not(hrNegative)), 'base', 'depends');
  H('other primary', is('site', 'other'), 'base', 'depends');
  H(
    'not hormone-driven',
    isIn('site', ['bowel', 'lung', 'melanoma', 'uveal_melanoma', 'pancreas', 'stomach', 'oesophagus', 'kidney', 'gist', 'unknown']),
    'base',
    'unlikely',
  );
  return out;
}

const TREATMENTS = ['surgery', 'hormonal_therapy', 'immunotherapy', 'ablation'];

/** Folds one treatment's events into a suitability (the engine's Opt::level). */
function fold(events) {
  let base = 'possible';
  let cap = 'usual';
  let blocked = false;
  for (const p of events) {
    if (p.kind === 'base') base = p.level;
    else if (p.kind === 'cap' && ORDER[p.level] < ORDER[cap]) cap = p.level;
    else if (p.kind === 'blocked') blocked = true;
  }
  if (base === 'unlikely' || cap === 'unlikely') return 'unlikely';
  if (base === 'depends' || blocked) return 'depends';
  return ORDER[base] <= ORDER[cap] ? base : cap;
}

module.exports = { rules, fold, TREATMENTS };
