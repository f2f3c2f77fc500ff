/// History — see ARCHITECTURE.md.
enum HistoryModule {}
