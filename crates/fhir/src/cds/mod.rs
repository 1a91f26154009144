//! CDS Hooks 2.0: discovery, the `patient-view` service, feedback and client authentication.
