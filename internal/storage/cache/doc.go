// Package cache keeps the records every token and authorization request
// reads — clients and APIs — in memory, in front of any storage.Store.
//
// # Freshness
//
// A cached record is served for at most TTL (DefaultTTL, 5 seconds) after
// it was read from the database; that is the upper bound on how long a
// change made elsewhere can go unseen. Within it:
//
//   - writes made through the same Store are seen at once (the wrapper
//     drops the record after the write);
//   - with a Source (PostgreSQL LISTEN/NOTIFY, see postgres.Store.Listen),
//     changes committed by any other process — another replica, the CLI,
//     psql — are seen as soon as the notification arrives, typically
//     within milliseconds; while the listener is disconnected, and when
//     it reconnects, the whole cache is dropped, so the TTL still bounds
//     what a lost notification can cost;
//   - without a Source (SQLite shared with a CLI process, which cannot
//     notify) the TTL is the bound.
//
// Lookups that find nothing are not cached: a client registered by the CLI
// is usable at once, and requests naming made-up client IDs cannot fill
// memory. Records are copied out, so callers may modify what they get.
//
// Invalidation keys, as the PostgreSQL triggers send them: "client:<id>",
// "api:<id>", "keys" (signing keys changed; the cache holds none, but
// Subscribe lets the key ring reread them) and "all".
package cache
