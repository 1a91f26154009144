//! `hepatica batch` and `hepatica synth`: being built (see issue 8).

/// Runs `batch`.
pub fn run(_args: crate::BatchArgs) -> anyhow::Result<u8> {
    anyhow::bail!("'hepatica batch' is not available in this build yet")
}

/// Runs `synth`.
pub fn synth(_args: crate::SynthArgs) -> anyhow::Result<u8> {
    anyhow::bail!("'hepatica synth' is not available in this build yet")
}
