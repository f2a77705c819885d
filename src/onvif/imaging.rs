//! imaging service operations.
