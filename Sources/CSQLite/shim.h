#ifndef LANSCOPE_CSQLITE_SHIM_H
#define LANSCOPE_CSQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a cast macro Swift cannot import. */
static inline sqlite3_destructor_type lanscope_sqlite_transient(void) { return SQLITE_TRANSIENT; }
/* SQLITE_STATIC: SQLite reads the bound bytes where they are, until the statement is reset and bound again. */
static inline sqlite3_destructor_type lanscope_sqlite_static(void) { return SQLITE_STATIC; }
/* Turns off SQLite's memory statistics before the library initialises (sqlite3_config is variadic,
   so Swift cannot call it). Returns SQLITE_MISUSE once SQLite is initialised. */
static inline int lanscope_sqlite_disable_memstatus(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
#endif
