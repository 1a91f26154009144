//! Runs the web app without the `hepatica` command, for the browser test
//! while the CLI is being wired: `cargo run -p hepatica-server --example serve
//! -- --addr 127.0.0.1:8080 --data-dir DIR [--cds-trust FILE]`.
//! It takes the same flags as `hepatica serve`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut config = hepatica_server::ServeConfig::new("127.0.0.1:8080", "./hepatica-data");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            eprintln!("error: {flag} needs a value");
            return ExitCode::from(2);
        };
        match flag.as_str() {
            "--addr" => config.addr = value,
            "--health-addr" => config.health_addr = Some(value),
            "--data-dir" => config.data_dir = value.into(),
            "--cds-trust" => config.cds_trust = Some(value.into()),
            other => {
                eprintln!("error: unknown flag {other}");
                return ExitCode::from(2);
            }
        }
    }
    match hepatica_server::serve_blocking(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
