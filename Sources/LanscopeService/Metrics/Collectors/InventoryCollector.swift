import Exposition
import Inventory

/// What the inventory refused, expired, and what the export cap left out.
struct InventoryCollector: ScrapeCollector {
    let name = "inventory"
    let registry: DeviceRegistry

    func collect(_ scrape: ScrapeContext) -> [MetricFamily] {
        let statistics = registry.statistics
        return [
            singleSample(
                "lanscope_exposition_devices_omitted",
                "Devices left out of this scrape's per-device series by the export cap (still in the inventory, "
                    + "/devices.json and lanscope_devices).", .gauge, Double(scrape.view.omitted)),
            singleSample(
                "lanscope_inventory_devices_rejected",
                "Devices (distinct MACs) refused because the inventory was full (MAC flood protection).", .counter,
                Double(statistics.devicesRejected)),
            singleSample(
                "lanscope_inventory_devices_expired", "Devices removed after their time-to-live.", .counter,
                Double(statistics.devicesExpired)),
            singleSample(
                "lanscope_inventory_address_claims_rejected",
                "Address claims not indexed because the IP-to-MAC index was full.", .counter,
                Double(statistics.addressIndexRejected)),
        ]
    }
}
