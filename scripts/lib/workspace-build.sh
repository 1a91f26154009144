# Sourced by the test scripts. `workspace_build` builds every binary, example
# and test of the workspace exactly as `cargo test --workspace` does, with the
# same feature set, so after that step of scripts/test.sh it is a no-op.
# (`cargo build -p hepatica-cli` would resolve features for that package
# alone, tokio among them, and rebuild the server stack a second time.)
# The binaries are then at "$target/debug/hepatica" and
# "$target/debug/examples/<name>".
workspace_build() {
  cargo test --workspace --no-run -q 2>&1 | { grep -v '^  Executable ' || true; }
  return "${PIPESTATUS[0]}"
}
