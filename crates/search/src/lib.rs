//! Hepatica's look-ups over the knowledge base.
//!
//! - [`drugs`]: find a drug or regimen from a generic name, brand name,
//!   abbreviation or misspelling (contract section 4).
//! - [`ask`]: full-text search over all patient content (contract section 5).
//!
//! Both are built from a [`hepatica_knowledge::Knowledge`] and hold no other state.

pub mod ask;
pub mod drugs;
