/// Inventory — see ARCHITECTURE.md.
enum InventoryModule {}
