//! recording service operations.
