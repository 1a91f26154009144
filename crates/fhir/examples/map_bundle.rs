//! Prints the Case and warnings mapped from a FHIR Bundle file:
//! `cargo run -q -p hepatica-fhir --example map_bundle -- FILE`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: map_bundle FILE");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2)
    });
    match hepatica_fhir::map_bundle(&value, hepatica_knowledge::Knowledge::embedded(), &hepatica_fhir::MapOptions::today_utc()) {
        Ok(m) => {
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "case": m.case, "warnings": m.warnings })).unwrap_or_default())
        }
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            std::process::exit(2);
        }
    }
}
