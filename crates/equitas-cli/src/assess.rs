//! `equitas assess` (being built).

pub(crate) fn run(_parser: lexopt::Parser) -> crate::Result<()> {
    Err(crate::usage_error("equitas assess is not built yet"))
}
