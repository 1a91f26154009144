//! CDS Hooks 2.0: discovery, the `patient-view` service, feedback and client authentication.
//!
//! - [`service::discovery`] and [`service::call`]: prefetch → Bundle-like set →
//!   the FHIR mapper → `assess(.., Audience::Clinician)` → one summary card;
//! - [`feedback::parse`]: validated feedback items for the server to store;
//! - [`auth::Verifier`]: JWT bearer verification against the trust file.
//!
//! All pure: no I/O, no clock (the verifier takes "now"), deterministic card ids.

pub mod auth;
pub mod feedback;
pub mod service;
pub mod types;

/// The service id (contract section 6).
pub const SERVICE_ID: &str = "liver-metastases-options";
/// The hook it answers.
pub const HOOK: &str = "patient-view";
