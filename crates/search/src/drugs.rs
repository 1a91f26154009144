//! Drug and regimen look-up by name (contract section 4).
