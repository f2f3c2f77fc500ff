-- index addresses_by_ip on addresses
CREATE INDEX addresses_by_ip ON addresses(ip);

-- index anomalies_by_mac on anomalies
CREATE INDEX anomalies_by_mac ON anomalies(mac);

-- index anomalies_identity on anomalies
CREATE UNIQUE INDEX anomalies_identity ON anomalies(time, kind, ifnull(mac, ''), summary);

-- index evidence_by_last_seen on evidence
CREATE INDEX evidence_by_last_seen ON evidence(last_seen);

-- index identity_changes_by_time on identity_changes
CREATE INDEX identity_changes_by_time ON identity_changes(time);

-- index presence_by_end on presence
CREATE INDEX presence_by_end ON presence(end);

-- index services_identity on services
CREATE UNIQUE INDEX services_identity ON services(mac, via, type, ifnull(name, X''), ifnull(port, -1));

-- index traffic_samples_by_age on traffic_samples
CREATE INDEX traffic_samples_by_age ON traffic_samples(tier, start);

-- table addresses on addresses
CREATE TABLE addresses (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (mac, ip)
) STRICT, WITHOUT ROWID;

-- table anomalies on anomalies
CREATE TABLE anomalies (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    mac TEXT,
    summary TEXT NOT NULL,
    details TEXT NOT NULL
, related_macs TEXT NOT NULL DEFAULT '', end_time INTEGER) STRICT;

-- table captures on captures
CREATE TABLE captures (
    capture_key TEXT PRIMARY KEY NOT NULL,
    source TEXT NOT NULL,
    first_packet INTEGER,
    last_packet INTEGER,
    packets INTEGER NOT NULL,
    ingested_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- table devices on devices
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
, classification TEXT) STRICT, WITHOUT ROWID;

-- table dhcp_server_roles on dhcp_server_roles
CREATE TABLE dhcp_server_roles (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (mac, role)
) STRICT, WITHOUT ROWID;

-- table evidence on evidence
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

-- table hostnames on hostnames
CREATE TABLE hostnames (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (mac, source)
) STRICT, WITHOUT ROWID;

-- table identity_changes on identity_changes
CREATE TABLE identity_changes (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    time INTEGER NOT NULL,
    field TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT NOT NULL,
    PRIMARY KEY (mac, time, field, to_value)
) STRICT, WITHOUT ROWID;

-- table presence on presence
CREATE TABLE presence (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (mac, start)
) STRICT, WITHOUT ROWID;

-- table protocols on protocols
CREATE TABLE protocols (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    protocol TEXT NOT NULL,
    PRIMARY KEY (mac, protocol)
) STRICT, WITHOUT ROWID;

-- table services on services
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

-- table software on software
CREATE TABLE software (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    source TEXT NOT NULL,
    value TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (mac, source)
) STRICT, WITHOUT ROWID;

-- table traffic on traffic
CREATE TABLE traffic (
    mac TEXT NOT NULL,
    capture_key TEXT NOT NULL REFERENCES captures(capture_key) ON DELETE CASCADE,
    transmitted_packets INTEGER NOT NULL,
    transmitted_bytes INTEGER NOT NULL,
    received_packets INTEGER NOT NULL,
    received_bytes INTEGER NOT NULL,
    PRIMARY KEY (mac, capture_key)
) STRICT, WITHOUT ROWID;

-- table traffic_classes on traffic_classes
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

-- table traffic_samples on traffic_samples
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

-- user_version 4
