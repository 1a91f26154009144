//! Stable-toolchain fuzz smoke run over every target (scripts/fuzz-smoke.sh).
//!
//! `cargo run -p hepatica-fuzz --example smoke --
//! [--seconds N] [--target NAME] [--seed N] [--max-executions N]` mutates each
//! target's seed corpus (`fuzz/corpus/<target>/`) for an equal share of N
//! seconds (default 20 in all). On a panic it writes the input to
//! `fuzz/artifacts/<target>/smoke-crash` and exits 1.
//! `--replay NAME FILE` runs one input through one target.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hepatica_fuzz::{TARGETS, smoke};

fn main() -> ExitCode {
    let mut seconds = 20.0_f64;
    let mut only: Option<String> = None;
    let mut seed = 1u64;
    let mut max_executions = u64::MAX;
    let mut replay: Option<(String, PathBuf)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match flag.as_str() {
            "--seconds" => seconds = value().parse().unwrap_or(seconds),
            "--target" => only = Some(value()),
            "--seed" => seed = value().parse().unwrap_or(seed),
            "--max-executions" => max_executions = value().parse().unwrap_or(max_executions),
            "--replay" => {
                let name = value();
                replay = Some((name, PathBuf::from(value())));
            }
            other => {
                eprintln!("error: unknown flag {other}");
                return ExitCode::from(2);
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if let Some((name, file)) = replay {
        let Some((_, f)) = TARGETS.iter().find(|(n, _)| *n == name) else {
            eprintln!("error: no target {name}");
            return ExitCode::from(2);
        };
        let input = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {}: {e}", file.display());
                return ExitCode::from(2);
            }
        };
        f(&input);
        println!("{name}: {} ran without a panic", file.display());
        return ExitCode::SUCCESS;
    }
    let targets: Vec<_> = TARGETS.iter().filter(|(n, _)| only.as_deref().is_none_or(|o| o == *n)).collect();
    if targets.is_empty() {
        eprintln!("error: no target {}", only.unwrap_or_default());
        return ExitCode::from(2);
    }
    let share = Duration::from_secs_f64(seconds.max(0.1) / targets.len() as f64);
    // Panics are reported once, below, with their input.
    std::panic::set_hook(Box::new(|_| {}));
    let mut total = 0u64;
    for (i, (name, f)) in targets.iter().enumerate() {
        let seeds = match smoke::load_corpus(&root.join("corpus").join(name)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: corpus/{name}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if seeds.is_empty() {
            eprintln!("error: corpus/{name} has no seeds");
            return ExitCode::FAILURE;
        }
        // Warm up lazily built indexes outside the timed share.
        f(&seeds[0]);
        match smoke::run(*f, &seeds, share, max_executions, seed.wrapping_add(i as u64)) {
            Ok(stats) => {
                total += stats.executions;
                println!(
                    "{name:<14} {:>3} seeds {:>8} executions {:>8.0}/s",
                    stats.seeds,
                    stats.executions,
                    stats.executions as f64 / share.as_secs_f64()
                );
            }
            Err(crash) => {
                let dir = root.join("artifacts").join(name);
                let path = dir.join("smoke-crash");
                let saved = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, &crash.input));
                eprintln!("CRASH in {name}: {}", crash.message);
                eprintln!("input ({} bytes): {:?}", crash.input.len(), String::from_utf8_lossy(&crash.input));
                match saved {
                    Ok(()) => eprintln!("saved to {}; replay with --replay {name} {}", path.display(), path.display()),
                    Err(e) => eprintln!("could not save the input: {e}"),
                }
                return ExitCode::FAILURE;
            }
        }
    }
    println!("fuzz smoke: {} targets, {total} executions, no panics", targets.len());
    ExitCode::SUCCESS
}
