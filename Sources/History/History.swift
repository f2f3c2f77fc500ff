/// History: the SQLite store behind `lanscope devices`, `lanscope device MAC` and `lanscope alerts`.
/// Owns the schema and its append-only migrations, merging devices into stored rows, evidence,
/// anomaly events, capture records with per-device traffic, and retention. Imports LanscopeCore and
/// (internally) CSQLite: no SQLite type appears in its public API.
enum HistoryModule {}
