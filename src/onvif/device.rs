//! device service operations.
