//! hepatica-batch: not yet written.
