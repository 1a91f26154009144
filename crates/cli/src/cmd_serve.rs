//! `hepatica serve`: the web app, JSON API and CDS Hooks service (hepatica-server).

use crate::{EXIT_OK, invalid};

/// Runs the sub-command until SIGINT or SIGTERM.
pub fn run(args: crate::ServeArgs) -> anyhow::Result<u8> {
    let kb = match crate::knowledge(args.kb_dir.as_deref()) {
        Ok(kb) => kb,
        Err(code) => return Ok(code),
    };
    let config = hepatica_server::ServeConfig {
        addr: args.addr,
        data_dir: args.data_dir,
        cds_trust: args.cds_trust,
        kb,
        max_fhir_body_bytes: (args.max_fhir_body as usize) << 20,
    };
    match hepatica_server::serve_blocking(config) {
        Ok(()) => Ok(EXIT_OK),
        // A bad --addr, support.toml or trust file is invalid input: exit 2.
        Err(
            e @ (hepatica_server::ServeError::Addr { .. }
            | hepatica_server::ServeError::Support { .. }
            | hepatica_server::ServeError::CdsTrust { .. }),
        ) => Ok(invalid(&[e])),
        Err(e) => Err(e.into()),
    }
}
