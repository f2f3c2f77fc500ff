/// Exposition — see ARCHITECTURE.md.
enum ExpositionModule {}
