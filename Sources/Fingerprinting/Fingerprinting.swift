/// Fingerprinting — see ARCHITECTURE.md.
enum FingerprintingModule {}
