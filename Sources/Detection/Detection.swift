/// Detection — see ARCHITECTURE.md.
enum DetectionModule {}
