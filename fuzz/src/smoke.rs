//! A deterministic, stable-Rust stand-in for libFuzzer: mutate the seed corpus
//! for a bounded time and count, run a target on every input, stop at the first panic.
//!
//! It is not coverage-guided, so it finds less than `cargo fuzz`; its job is
//! to run every target in CI on the stable toolchain, with structure-aware
//! mutations (JSON values, form pairs, boundary numbers, deep nesting) that
//! reach the parsers' error paths quickly. The same seed gives the same inputs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

/// A small, fast, deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed odd constant).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability 1 in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Tokens worth inserting: JSON punctuation, boundary numbers, odd strings, form syntax.
const DICTIONARY: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "false",
    "-1",
    "0",
    "-0",
    "0.0",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "1e-400",
    "18446744073709551616",
    "9007199254740993",
    "4.5",
    "30",
    "30.0000001",
    "100",
    "101",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\\",
    "\n",
    "\r\n",
    "\t",
    "%",
    "%FF",
    "%00",
    "&",
    "=",
    "+",
    ".",
    "liver.",
    "biomarkers.",
    "é",
    "\u{202e}",
    "\u{feff}",
    "<script>",
    "'",
    "\"unknown\"",
    "\"liver\"",
    "\"bowel\"",
    "\"G12C\"",
    "\"resourceType\"",
    "\"Bundle\"",
    "\"entry\"",
    "\"id\"",
    "Bearer ",
    "eyJ",
    "..",
    "/",
    "//",
    "~1",
    "~0",
];

/// Strings and numbers a JSON-aware mutation may put in place of a value.
fn odd_value(rng: &mut Rng) -> Value {
    let choices: [fn() -> Value; 16] = [
        || Value::Null,
        || Value::Bool(true),
        || Value::from(-1),
        || Value::from(0),
        || Value::from(i64::MAX),
        || Value::from(u64::MAX),
        || Value::from(-0.0),
        || Value::from(1e300),
        || Value::from(30.000_001),
        || Value::from(""),
        || Value::from("unknown"),
        || Value::from("\u{0}\u{202e}é"),
        || Value::from("x".repeat(5000)),
        || Value::Array(vec![]),
        || Value::Object(Default::default()),
        || Value::Array(vec![Value::from("lung"), Value::from("lung"), Value::from("bone")]),
    ];
    choices[rng.below(choices.len())]()
}

/// Replaces, removes or adds something at a random place in a JSON value.
fn mutate_json(v: &mut Value, rng: &mut Rng, depth: usize) {
    match v {
        Value::Object(map) if !map.is_empty() && depth < 12 => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = &keys[rng.below(keys.len())];
            match rng.below(6) {
                0 => {
                    map.remove(key);
                }
                1 => {
                    let child = map[key].clone();
                    map.insert(format!("{key}_"), child);
                }
                2 => {
                    map.insert(key.clone(), odd_value(rng));
                }
                _ => mutate_json(map.get_mut(key).expect("key exists"), rng, depth + 1),
            }
        }
        Value::Array(items) if !items.is_empty() && depth < 12 => {
            let i = rng.below(items.len());
            match rng.below(5) {
                0 => {
                    items.remove(i);
                }
                1 => {
                    let dup = items[i].clone();
                    items.push(dup);
                }
                _ => mutate_json(&mut items[i], rng, depth + 1),
            }
        }
        other => *other = odd_value(rng),
    }
}

/// One mutated input derived from `input` (and sometimes another seed).
pub fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = input.to_vec();
    // Structure-aware first: half of the JSON inputs get a value-level change.
    if rng.one_in(2)
        && let Ok(mut v) = serde_json::from_slice::<Value>(&data)
    {
        for _ in 0..1 + rng.below(3) {
            mutate_json(&mut v, rng, 0);
        }
        return serde_json::to_vec(&v).unwrap_or(data);
    }
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        match rng.below(11) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next_u64() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                data.insert(i, rng.next_u64() as u8);
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(16)).min(len);
                data.drain(a..b);
            }
            4 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(32)).min(len);
                let piece = data[a..b].to_vec();
                let at = rng.below(data.len() + 1);
                data.splice(at..at, piece);
            }
            5 | 6 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                let at = rng.below(len + 1);
                data.splice(at..at, token.iter().copied());
            }
            7 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())];
                let cut_a = rng.below(len + 1);
                let cut_b = rng.below(other.len() + 1);
                data.truncate(cut_a);
                data.extend_from_slice(&other[cut_b..]);
            }
            8 if len > 0 => data.truncate(rng.below(len)),
            9 => {
                // Deep nesting around the whole input.
                let n = 1 + rng.below(300);
                let (open, close) = if rng.one_in(2) { (b'[', b']') } else { (b'{', b'}') };
                let mut nested = vec![open; n];
                if open == b'{' {
                    nested = b"{\"a\":".repeat(n);
                }
                nested.extend_from_slice(&data);
                nested.extend(std::iter::repeat_n(close, n));
                data = nested;
            }
            _ => {
                // Repeat a run of bytes to make something long.
                if len > 0 {
                    let a = rng.below(len);
                    let b = (a + 1 + rng.below(8)).min(len);
                    let piece = data[a..b].to_vec();
                    let times = 1 + rng.below(200);
                    let at = rng.below(data.len() + 1);
                    data.splice(at..at, piece.repeat(times));
                }
            }
        }
    }
    data
}

/// Reads every file in `dir` (sorted by name), or nothing if it does not exist.
pub fn load_corpus(dir: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.iter().map(std::fs::read).collect()
}

/// What a smoke run of one target did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// Inputs run (seeds included).
    pub executions: u64,
    /// Seeds in the corpus.
    pub seeds: usize,
}

/// A panicking input and what it said.
#[derive(Debug, Clone)]
pub struct Crash {
    /// The input.
    pub input: Vec<u8>,
    /// The panic message.
    pub message: String,
}

fn run_one(f: fn(&[u8]), input: &[u8]) -> Result<(), Crash> {
    catch_unwind(AssertUnwindSafe(|| f(input))).map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(non-string panic)".into());
        Crash { input: input.to_vec(), message }
    })
}

/// Runs `f` on every seed, then on mutations of them until `budget` or
/// `max_executions` is reached, stopping at the first panic.
pub fn run(f: fn(&[u8]), seeds: &[Vec<u8>], budget: Duration, max_executions: u64, seed: u64) -> Result<Stats, Crash> {
    let start = Instant::now();
    let mut stats = Stats { executions: 0, seeds: seeds.len() };
    for s in seeds {
        run_one(f, s)?;
        stats.executions += 1;
    }
    let fallback = vec![Vec::new()];
    let pool = if seeds.is_empty() { &fallback } else { seeds };
    let mut rng = Rng::new(seed);
    let mut current = pool[0].clone();
    while start.elapsed() < budget && stats.executions < max_executions {
        // Mostly mutate a fresh seed; sometimes keep stacking on the last input.
        if !rng.one_in(4) {
            current = pool[rng.below(pool.len())].clone();
        }
        let input = mutate(&mut rng, &current, pool);
        // Keep inputs bounded, as libFuzzer's -max_len does.
        let input = if input.len() > 64 * 1024 { input[..64 * 1024].to_vec() } else { input };
        run_one(f, &input)?;
        stats.executions += 1;
        current = input;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_is_deterministic() {
        let seeds = vec![br#"{"primary_site":"bowel","liver":{"tumour_count":2}}"#.to_vec(), b"a=b&c=d".to_vec()];
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..200).map(|i| mutate(&mut rng, &seeds[i % 2], &seeds)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn a_panicking_target_is_reported_with_its_input() {
        fn picky(data: &[u8]) {
            assert!(!data.contains(&b'!'), "found it");
        }
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let crash = run(picky, &[b"ok!".to_vec()], Duration::from_secs(1), 10, 1).unwrap_err();
        std::panic::set_hook(prev);
        assert_eq!(crash.input, b"ok!");
        assert!(crash.message.contains("found it"));
    }
}
