/// The schema, as an ordered list of SQL scripts. Migration N (1-based) brings `PRAGMA
/// user_version` from N-1 to N and runs in its own transaction. Append-only: once a migration has
/// shipped it is never edited, reordered or removed — a change to the schema is a new entry at the
/// end. `SchemaSnapshotTests` compares the resulting `sqlite_master` with a golden file.
///
/// Conventions: times are nanoseconds since the Unix epoch (`Timestamp.nanoseconds`); MACs are
/// lower-case `aa:bb:cc:dd:ee:ff` text; 64-bit unsigned counters are stored as their signed bit
/// pattern; `source`/`via` columns hold `DiscoveryProtocol` raw values, `kind` holds
/// `AnomalyKind`/`EvidenceKind` raw values. Tables keyed by their natural key are `WITHOUT ROWID`
/// (one b-tree instead of a table plus a unique index: upserts touch half the pages).
enum Migrations {
    static let all: [String] = [
        // 1: devices and what hangs off them, evidence, captures with traffic, anomalies.
        """
        CREATE TABLE devices (
            mac TEXT PRIMARY KEY NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            hostname TEXT,
            hostname_source TEXT,
            vendor TEXT,
            locally_administered INTEGER NOT NULL,
            is_dhcp_server INTEGER NOT NULL DEFAULT 0,
            dhcp_message_type INTEGER,
            dhcp_parameter_request_list TEXT,
            dhcp_vendor_class TEXT,
            dhcp_client_id_hex TEXT,
            dhcp_max_message_size INTEGER,
            dhcp_requested_address TEXT
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE addresses (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            ip TEXT NOT NULL,
            version INTEGER NOT NULL,
            source TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            PRIMARY KEY (mac, ip)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX addresses_by_ip ON addresses(ip);

        CREATE TABLE hostnames (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            source TEXT NOT NULL,
            name TEXT NOT NULL,
            last_seen INTEGER NOT NULL,
            PRIMARY KEY (mac, source)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE software (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            source TEXT NOT NULL,
            value TEXT NOT NULL,
            last_seen INTEGER NOT NULL,
            PRIMARY KEY (mac, source)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE protocols (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            protocol TEXT NOT NULL,
            PRIMARY KEY (mac, protocol)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE services (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            via TEXT NOT NULL,
            type TEXT NOT NULL,
            name TEXT,
            port INTEGER,
            txt TEXT NOT NULL,
            location TEXT,
            server TEXT,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL
        ) STRICT;
        -- NULLs are distinct in a plain UNIQUE constraint; map them to values no real name or port
        -- can equal (an empty blob never equals text) so a replay finds the existing row.
        CREATE UNIQUE INDEX services_identity ON services(mac, via, type, ifnull(name, X''), ifnull(port, -1));

        CREATE TABLE evidence (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            value TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (mac, kind, source, value)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX evidence_by_last_seen ON evidence(last_seen);

        CREATE TABLE captures (
            capture_key TEXT PRIMARY KEY NOT NULL,
            source TEXT NOT NULL,
            first_packet INTEGER,
            last_packet INTEGER,
            packets INTEGER NOT NULL,
            ingested_at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE traffic (
            mac TEXT NOT NULL,
            capture_key TEXT NOT NULL REFERENCES captures(capture_key) ON DELETE CASCADE,
            transmitted_packets INTEGER NOT NULL,
            transmitted_bytes INTEGER NOT NULL,
            received_packets INTEGER NOT NULL,
            received_bytes INTEGER NOT NULL,
            PRIMARY KEY (mac, capture_key)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE traffic_classes (
            mac TEXT NOT NULL,
            capture_key TEXT NOT NULL REFERENCES captures(capture_key) ON DELETE CASCADE,
            direction TEXT NOT NULL,
            family TEXT NOT NULL,
            protocol TEXT NOT NULL,
            packets INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            PRIMARY KEY (mac, capture_key, direction, family, protocol)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE anomalies (
            id INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            mac TEXT,
            summary TEXT NOT NULL,
            details TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX anomalies_identity ON anomalies(time, kind, ifnull(mac, ''), summary);
        CREATE INDEX anomalies_by_mac ON anomalies(mac);
        """,
        // 2: what a device is (classification with its evidence, as JSON) and every change to its
        // identity; events gain the other devices involved and an end time (spans).
        """
        ALTER TABLE devices ADD COLUMN classification TEXT;
        ALTER TABLE anomalies ADD COLUMN related_macs TEXT NOT NULL DEFAULT '';
        ALTER TABLE anomalies ADD COLUMN end_time INTEGER;

        CREATE TABLE identity_changes (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            time INTEGER NOT NULL,
            field TEXT NOT NULL,
            from_value TEXT,
            to_value TEXT NOT NULL,
            PRIMARY KEY (mac, time, field, to_value)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX identity_changes_by_time ON identity_changes(time);
        """,
        // 3: live history. Traffic samples per device and interval in three tiers (0 raw, 1 hourly,
        // 2 daily; `seconds` is the sample's length) that retention folds into one another, and
        // presence spans (online from–to). Samples are keyed by device first (the views read one
        // device's series); the age index serves retention, which walks the oldest rows of a tier.
        """
        CREATE TABLE traffic_samples (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            tier INTEGER NOT NULL,
            start INTEGER NOT NULL,
            seconds INTEGER NOT NULL,
            transmitted_bytes INTEGER NOT NULL,
            transmitted_packets INTEGER NOT NULL,
            received_bytes INTEGER NOT NULL,
            received_packets INTEGER NOT NULL,
            PRIMARY KEY (mac, tier, start)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX traffic_samples_by_age ON traffic_samples(tier, start);

        CREATE TABLE presence (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            PRIMARY KEY (mac, start)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX presence_by_end ON presence(end);
        """,
        // 4: what a DHCP server's replies said of its role (`DHCPServerRole` raw values), a set per device
        // like its protocols: the classifier tells a router from a server beside it by it.
        """
        CREATE TABLE dhcp_server_roles (
            mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
            role TEXT NOT NULL,
            PRIMARY KEY (mac, role)
        ) STRICT, WITHOUT ROWID;
        """,
    ]
}
