//! `hepatica drug`: being built (see its issue).

/// Runs the sub-command.
pub fn run(_args: crate::DrugArgs) -> anyhow::Result<u8> {
    anyhow::bail!("'hepatica drug' is not available in this build yet")
}
