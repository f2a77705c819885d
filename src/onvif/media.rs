//! media service operations.
