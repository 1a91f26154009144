//! hepatica-server: not yet written.
