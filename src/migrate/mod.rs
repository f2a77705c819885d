//! Migration: plan file, executor (apply, dry run, verify), journal, waves.

pub mod apply;
pub mod check;
pub mod device;
pub mod handoff;
pub mod journal;
pub mod lower;
pub mod planfile;
pub mod status;
pub mod verify;
pub mod waves;
