/// CaptureEBPF — see ARCHITECTURE.md.
enum CaptureEBPFModule {}
