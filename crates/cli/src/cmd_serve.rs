//! `hepatica serve`: the web app, JSON API and CDS Hooks service (hepatica-server).
//!
//! Every limit a deployment can tune is a flag with an environment variable
//! ([`LimitArgs`]); the defaults and what each one protects against are in
//! docs/safety/operations.md. [`DatabaseArgs`] chooses the store (`--database`):
//! the embedded SQLite file, or PostgreSQL for several replicas.

use std::time::Duration;

use clap::Args;

use crate::{EXIT_OK, invalid};

/// The tunable limits of `hepatica serve`.
#[derive(Debug, Clone, Args)]
pub(crate) struct LimitArgs {
    /// Close a connection that sends nothing for this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5, env = "HEPATICA_FIRST_BYTE_TIMEOUT")]
    pub first_byte_timeout: u64,
    /// Close a connection whose request head takes longer than this many seconds (also the keep-alive idle timeout).
    #[arg(long, value_name = "SECS", default_value_t = 10, env = "HEPATICA_HEADER_READ_TIMEOUT")]
    pub header_read_timeout: u64,
    /// Largest request head (request line and headers), in bytes (at least 8192).
    #[arg(long, value_name = "BYTES", default_value_t = 65536, env = "HEPATICA_MAX_HEAD_BYTES")]
    pub max_head_bytes: usize,
    /// Most open connections (lowered to fit the open-file limit).
    #[arg(long, value_name = "N", default_value_t = 4096, env = "HEPATICA_MAX_CONNECTIONS")]
    pub max_connections: usize,
    /// Most open connections from one client address (0: no per-address cap, e.g. behind a proxy).
    #[arg(long, value_name = "N", default_value_t = 1024, env = "HEPATICA_MAX_CONNECTIONS_PER_ADDRESS")]
    pub max_connections_per_address: usize,
    /// Most requests handled at once; more get 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 512, env = "HEPATICA_MAX_IN_FLIGHT")]
    pub max_in_flight: usize,
    /// Most FHIR and CDS Hooks posts handled at once (each may hold a large Bundle in memory); more get 503.
    #[arg(long, value_name = "N", default_value_t = 2, env = "HEPATICA_MAX_FHIR_IN_FLIGHT")]
    pub max_fhir_in_flight: usize,
    /// Seconds SIGTERM waits for open connections before exiting.
    #[arg(long, value_name = "SECS", default_value_t = 10, env = "HEPATICA_DRAIN_TIMEOUT")]
    pub drain_timeout: u64,
    /// Page feedback posts accepted per client address per minute.
    #[arg(long, value_name = "N", default_value_t = 20, env = "HEPATICA_FEEDBACK_PER_MINUTE")]
    pub feedback_per_minute: u32,
    /// Most page feedback rows kept; further posts get 503.
    #[arg(long, value_name = "N", default_value_t = 1_000_000, env = "HEPATICA_FEEDBACK_MAX_ROWS")]
    pub feedback_max_rows: u64,
    /// Most live CDS token ids (jti) remembered per issuer.
    #[arg(long, value_name = "N", default_value_t = 20_000, env = "HEPATICA_JTI_PER_ISSUER")]
    pub jti_per_issuer: u64,
    /// New CDS tokens accepted per issuer per minute.
    #[arg(long, value_name = "N", default_value_t = 1200, env = "HEPATICA_JTI_PER_ISSUER_PER_MINUTE")]
    pub jti_per_issuer_per_minute: u64,
    /// Allow several servers on one data folder (they share its database and CDS replay store).
    #[arg(long, env = "HEPATICA_SHARED_DATA_DIR")]
    pub shared_data_dir: bool,
}

/// `--database` and its pool and timeouts.
#[derive(Debug, Clone, Args)]
pub(crate) struct DatabaseArgs {
    /// Where feedback and the CDS replay cache live: sqlite: (the default, hepatica.db in --data-dir, one server per folder)
    /// or a postgres:// (postgresql://) URL shared by several servers. The password is never printed.
    #[arg(long, value_name = "URL", env = "HEPATICA_DATABASE_URL", hide_env_values = true)]
    pub database: Option<String>,
    /// PostgreSQL: statement timeout in seconds (also the connect timeout and the wait for a pooled connection).
    #[arg(long, value_name = "SECS", default_value_t = 5, env = "HEPATICA_DATABASE_STATEMENT_TIMEOUT")]
    pub database_statement_timeout: u64,
    /// PostgreSQL: most connections this server holds.
    #[arg(long, value_name = "N", default_value_t = 8, env = "HEPATICA_DATABASE_POOL_SIZE")]
    pub database_pool_size: u32,
    /// PostgreSQL: seconds start-up keeps retrying an unreachable database (with back-off) before it gives up.
    #[arg(long, value_name = "SECS", default_value_t = 30, env = "HEPATICA_DATABASE_START_TIMEOUT")]
    pub database_start_timeout: u64,
}

impl DatabaseArgs {
    /// The store to use and its PostgreSQL options, or every problem with the flags.
    fn database(&self) -> Result<(hepatica_server::Database, hepatica_server::store::postgres::PgOptions), Vec<String>> {
        let mut problems = Vec::new();
        if self.database_statement_timeout == 0 {
            problems.push("--database-statement-timeout: expected a number above 0, got 0".to_string());
        }
        if self.database_pool_size == 0 {
            problems.push("--database-pool-size: expected a number above 0, got 0".to_string());
        }
        // Absent is the embedded default; a value that is there but blank (an empty
        // Secret) is an error, never a silent fall-back to one SQLite file per replica.
        // (clap reads an empty environment variable as no value, so look at it too.)
        let env_blank = std::env::var_os("HEPATICA_DATABASE_URL").is_some_and(|v| v.to_string_lossy().trim().is_empty());
        let parsed = match self.database.as_deref() {
            None if env_blank => hepatica_server::Database::parse(""),
            None => Ok(hepatica_server::Database::Sqlite),
            Some(v) => hepatica_server::Database::parse(v),
        };
        let database = match parsed {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(e);
                None
            }
        };
        match database {
            Some(d) if problems.is_empty() => Ok((
                d,
                hepatica_server::store::postgres::PgOptions {
                    statement_timeout: Duration::from_secs(self.database_statement_timeout),
                    pool_size: self.database_pool_size,
                    start_timeout: Duration::from_secs(self.database_start_timeout),
                },
            )),
            _ => Err(problems),
        }
    }
}

impl LimitArgs {
    /// The server's limits, or every problem with the flags.
    fn limits(&self) -> Result<hepatica_server::Limits, Vec<String>> {
        let mut problems = Vec::new();
        let mut positive = |flag: &str, n: u64| {
            if n == 0 {
                problems.push(format!("--{flag}: expected a number above 0, got 0"));
            }
        };
        positive("first-byte-timeout", self.first_byte_timeout);
        positive("header-read-timeout", self.header_read_timeout);
        positive("max-connections", self.max_connections as u64);
        positive("max-in-flight", self.max_in_flight as u64);
        positive("max-fhir-in-flight", self.max_fhir_in_flight as u64);
        positive("drain-timeout", self.drain_timeout);
        positive("feedback-per-minute", u64::from(self.feedback_per_minute));
        positive("jti-per-issuer", self.jti_per_issuer);
        positive("jti-per-issuer-per-minute", self.jti_per_issuer_per_minute);
        if self.max_head_bytes < 8192 {
            problems.push(format!("--max-head-bytes: expected at least 8192, got {}", self.max_head_bytes));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(hepatica_server::Limits {
            first_byte_timeout: Duration::from_secs(self.first_byte_timeout),
            header_read_timeout: Duration::from_secs(self.header_read_timeout),
            max_head_bytes: self.max_head_bytes,
            max_connections: self.max_connections,
            max_connections_per_address: self.max_connections_per_address,
            max_in_flight: self.max_in_flight,
            max_fhir_in_flight: self.max_fhir_in_flight,
            drain_timeout: Duration::from_secs(self.drain_timeout),
            feedback_per_minute: self.feedback_per_minute,
            feedback_max_rows: self.feedback_max_rows,
            jti_per_issuer: self.jti_per_issuer,
            jti_per_issuer_per_minute: self.jti_per_issuer_per_minute,
        })
    }
}

/// Runs the sub-command until SIGINT or SIGTERM.
pub fn run(args: crate::ServeArgs) -> anyhow::Result<u8> {
    let limits = match args.limits.limits() {
        Ok(l) => l,
        Err(problems) => return Ok(invalid(&problems)),
    };
    let (database, pg) = match args.database.database() {
        Ok(d) => d,
        Err(problems) => return Ok(invalid(&problems)),
    };
    let kb = match crate::knowledge(&args.kb) {
        Ok(kb) => kb,
        Err(code) => return Ok(code),
    };
    if args.kb.kb_file.is_some() && kb.is_draft() && !args.allow_draft {
        return Ok(invalid(&[format!(
            "--kb-file: expected the content of release {} (content hash {}), got other content ({}); a changed release needs a new version, or give --allow-draft",
            kb.meta.version,
            hepatica_knowledge::Knowledge::by_version(&kb.meta.version).map(|k| k.content_hash()).unwrap_or_default(),
            kb.content_hash()
        )]));
    }
    let config = hepatica_server::ServeConfig {
        addr: args.addr,
        health_addr: args.health_addr,
        data_dir: args.data_dir,
        cds_trust: args.cds_trust,
        kb,
        max_fhir_body_bytes: (args.max_fhir_body as usize) << 20,
        limits,
        shared_data_dir: args.limits.shared_data_dir,
        database,
        pg,
    };
    match hepatica_server::serve_blocking(config) {
        Ok(()) => Ok(EXIT_OK),
        // A bad --addr, support.toml or trust file, or a data folder in use, is invalid input: exit 2.
        Err(
            e @ (hepatica_server::ServeError::Addr { .. }
            | hepatica_server::ServeError::Support { .. }
            | hepatica_server::ServeError::CdsTrust { .. }
            | hepatica_server::ServeError::Locked { .. }),
        ) => Ok(invalid(&[e])),
        Err(e) => Err(e.into()),
    }
}
