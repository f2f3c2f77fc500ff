-- A lanscope history database as schema version 1 shipped it (sqlite3 .dump), with a few rows.
-- Loaded by HistoryStoreMigrationTests; never edit: it stands for files already on disk.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
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
INSERT INTO devices VALUES('00:11:22:33:44:01',1700000000000000000,1700000060000000000,'printer','mdns','Acme',0,0,3,'1,3,6,15','acme-v1',NULL,1500,'192.168.1.20');
INSERT INTO devices VALUES('02:00:00:00:00:02',1700000010000000000,1700000070000000000,NULL,NULL,NULL,1,0,NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE addresses (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (mac, ip)
) STRICT, WITHOUT ROWID;
INSERT INTO addresses VALUES('00:11:22:33:44:01','192.168.1.20',4,'dhcp',1700000000000000000,1700000060000000000);
INSERT INTO addresses VALUES('00:11:22:33:44:01','192.168.1.21',4,'arp',1699990000000000000,1699999000000000000);
CREATE TABLE hostnames (
    mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (mac, source)
) STRICT, WITHOUT ROWID;
INSERT INTO hostnames VALUES('00:11:22:33:44:01','mdns','printer',1700000060000000000);
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
INSERT INTO protocols VALUES('00:11:22:33:44:01','mdns');
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
INSERT INTO services VALUES('00:11:22:33:44:01','mdns','_ipp._tcp','Printer',631,'[["rp","ipp/print"]]',NULL,NULL,1700000000000000000,1700000060000000000);
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
INSERT INTO evidence VALUES('00:11:22:33:44:01','hostname','mdns','printer',1700000000000000000,1700000060000000000,2);
CREATE TABLE captures (
    capture_key TEXT PRIMARY KEY NOT NULL,
    source TEXT NOT NULL,
    first_packet INTEGER,
    last_packet INTEGER,
    packets INTEGER NOT NULL,
    ingested_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO captures VALUES('sha256:abc','office.pcap',1700000000000000000,1700000070000000000,42,1700000100000000000);
CREATE TABLE traffic (
    mac TEXT NOT NULL,
    capture_key TEXT NOT NULL REFERENCES captures(capture_key) ON DELETE CASCADE,
    transmitted_packets INTEGER NOT NULL,
    transmitted_bytes INTEGER NOT NULL,
    received_packets INTEGER NOT NULL,
    received_bytes INTEGER NOT NULL,
    PRIMARY KEY (mac, capture_key)
) STRICT, WITHOUT ROWID;
INSERT INTO traffic VALUES('00:11:22:33:44:01','sha256:abc',10,1000,5,400);
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
INSERT INTO anomalies VALUES(1,1700000030000000000,'new_device','info','02:00:00:00:00:02','new device','{}');
CREATE INDEX addresses_by_ip ON addresses(ip);
CREATE UNIQUE INDEX services_identity ON services(mac, via, type, ifnull(name, X''), ifnull(port, -1));
CREATE INDEX evidence_by_last_seen ON evidence(last_seen);
CREATE UNIQUE INDEX anomalies_identity ON anomalies(time, kind, ifnull(mac, ''), summary);
CREATE INDEX anomalies_by_mac ON anomalies(mac);
COMMIT;
PRAGMA user_version = 1;
