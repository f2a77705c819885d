//! ptz service operations.
