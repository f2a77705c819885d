//! camswap finds IP cameras that a security policy bans, plans an approved replacement for
//! each, and carries the old camera's settings over to the new one through ONVIF.
//!
//! Data flows one way; each stage is a module that owns one thing:
//!
//! ```text
//!  UDP 3702            HTTP/SOAP                 pure                    HTTP/SOAP
//! discovery ──▶ onvif client ──▶ inventory ──▶ audit ──▶ planner ──▶ migrate (apply/verify)
//!                    ▲                                                     │
//!                    └──────────────────── soap ◀──────────────────────────┘
//! ```
//!
//! Each step reads the previous step's file (`devices.json`, `inventory.json`, `plan.json`,
//! the journal), so any step can be re-run, reviewed or scripted alone.

#![warn(missing_docs)]

pub mod audit;
pub mod cli;
pub mod credentials;
pub mod discovery;
pub mod files;
pub mod input;
pub mod inventory;
pub mod migrate;
pub mod model;
pub mod onvif;
pub mod parallel;
pub mod planner;
pub mod soap;
pub mod text;
