//! hepatica-fhir: not yet written.
