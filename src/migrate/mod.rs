//! Migration: plan file, executor (apply, dry run, verify), journal, waves.

pub mod journal;
pub mod planfile;
