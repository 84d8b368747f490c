//! Statements the connection keeps prepared. diesel prepares a statement afresh on every
//! execution (and drops it after) whenever its SQL could vary without bound: every
//! `sql_query`, every UPDATE, every insert with an optional column or a list of rows, every
//! upsert. Postgres then parses, rewrites and plans it each time, and with row-level
//! security planning inlines every policy the statement reaches: the load benchmark found
//! most of a report's database time there. [`cached`] marks a statement whose SQL takes
//! few enough shapes to keep: it is cached under its SQL text and bind types, so each
//! shape is prepared once per connection, as diesel's own select statements are.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::QueryResult;

/// A statement to keep prepared, keyed by its SQL text (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct Cached<Q>(Q);

/// Keeps `query` prepared on the connection. Only for statements whose SQL takes a small
/// set of shapes: not an insert of a list of rows whose length has no small bound (the
/// audit insert qualifies: one row per event a request records, a handful at most).
pub fn cached<Q>(query: Q) -> Cached<Q> {
    Cached(query)
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> QueryId for Cached<Q> {
    type QueryId = ();
    // No type-level id: the cache key is the SQL text with the bind types.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Cached<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}
