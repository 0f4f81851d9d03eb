//! Health Equity Assessment Tool self-assessments (being built: issue 4).
