//! Full-text search over all patient content (contract section 5).
