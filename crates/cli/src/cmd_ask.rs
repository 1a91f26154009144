//! `hepatica ask`: being built (see its issue).

/// Runs the sub-command.
pub fn run(_args: crate::AskArgs) -> anyhow::Result<u8> {
    anyhow::bail!("'hepatica ask' is not available in this build yet")
}
