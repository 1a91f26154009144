//! `hepatica serve`: being built (see its issue).

/// Runs the sub-command.
pub fn run(_args: crate::ServeArgs) -> anyhow::Result<u8> {
    anyhow::bail!("'hepatica serve' is not available in this build yet")
}
