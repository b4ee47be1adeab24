# Sourced by the build scripts: what makes a release build reproducible, so
# that two builds of the same commit give byte-identical binaries
# (scripts/test-reproducible.sh proves it for the x86_64 binary).
#
# - rustc writes source paths into the binary (panic locations, even with
#   panic=abort): the checkout and the cargo home are remapped to fixed
#   names, so where they are does not matter. The standard library's paths
#   are already `/rustc/<commit>`.
# - The toolchain is pinned (rust-toolchain.toml) and the dependencies are
#   locked (`--locked`); codegen-units = 1 and LTO leave no ordering to
#   chance; nothing in the code reads the clock or the environment at build
#   time (no build script).
# - SOURCE_DATE_EPOCH (the commit's time unless set) dates the archives'
#   entries (scripts/release.sh); the binary holds no date.
#
# The remapping is passed as `--config` (REPRODUCIBLE_CONFIG), a rustflags
# entry for every target that cargo joins with .cargo/config.toml's own
# (the static binaries' relocation model); RUSTFLAGS would replace those.
here=$(pwd -P)
cargo_home=$(cd "${CARGO_HOME:-$HOME/.cargo}" 2>/dev/null && pwd -P || echo "${CARGO_HOME:-$HOME/.cargo}")
REPRODUCIBLE_CONFIG="target.'cfg(all())'.rustflags = [\"--remap-path-prefix=$here=/probe\", \"--remap-path-prefix=$cargo_home=/cargo\"]"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || echo 0)
  export SOURCE_DATE_EPOCH
fi
