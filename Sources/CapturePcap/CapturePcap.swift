/// CapturePcap: libpcap file replay (and live capture). Imports CPcap internally only — no C type
/// appears in this module's public API — and LanscopeCore.
enum CapturePcapModule {}
