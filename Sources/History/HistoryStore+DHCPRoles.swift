import LanscopeCore

extension HistoryStore {
    /// Adds each device's DHCP server roles to the ones stored: a set that only grows, like protocols, so a
    /// flush and the final store of a replay merge to the same rows in any order.
    func writeDHCPServerRoles(_ devices: [Device]) throws(SQLiteError) {
        guard devices.contains(where: { !$0.dhcpServerRoles.isEmpty }) else { return }
        let insert = try database.statement(
            "INSERT INTO dhcp_server_roles (mac, role) VALUES (?1, ?2) ON CONFLICT (mac, role) DO NOTHING")
        for device in devices where !device.dhcpServerRoles.isEmpty {
            let mac = SQLiteValue.text(device.mac.description)
            for role in device.dhcpServerRoles.sorted() { try insert.run([mac, .text(role.rawValue)]) }
        }
    }
}
