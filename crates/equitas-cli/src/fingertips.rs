//! `equitas sii|lifetable|proportion|rate|dsr` (being built).

pub(crate) fn run(command: &str, _parser: lexopt::Parser) -> crate::Result<()> {
    Err(crate::usage_error(format!(
        "equitas {command} is not built yet"
    )))
}
