//! Migration: plan file, executor (apply, dry run, verify), journal, waves.
