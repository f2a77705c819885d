//! media2 service operations.
