//! Audit: policies as data, signals and evidence, verdicts, reports.
