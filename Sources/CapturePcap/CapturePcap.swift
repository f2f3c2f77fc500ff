/// CapturePcap — see ARCHITECTURE.md.
enum CapturePcapModule {}
