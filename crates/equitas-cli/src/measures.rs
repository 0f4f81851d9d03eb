//! `equitas measures` (being built).

pub(crate) fn run(_parser: lexopt::Parser) -> crate::Result<()> {
    Err(crate::usage_error("equitas measures is not built yet"))
}
