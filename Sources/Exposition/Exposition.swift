/// Exposition: renders metric families as Prometheus text format 0.0.4 or OpenMetrics 1.0, with exact
/// escaping, name validation and byte-stable ordering; negotiates the format and gzip from request
/// headers; gzips through zlib; reads the standard `process_*` metrics from procfs.
/// Generic: it knows nothing of lanscope and imports only Glibc/Foundation and CZlib.
enum ExpositionModule {}
