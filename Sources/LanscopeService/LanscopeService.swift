/// LanscopeService — see ARCHITECTURE.md.
enum LanscopeServiceModule {}
