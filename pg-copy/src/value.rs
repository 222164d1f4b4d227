//! One column's value on its way from SQLite to PostgreSQL, and its canonical bytes for the
//! digests that compare the two sides.

use crate::tables::Kind;
use tokio_postgres::types::{ToSql, Type};

/// A value of one of the [`Kind`]s, or NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// A flag.
    Bool(bool),
    /// Bytes.
    Bytes(Vec<u8>),
}

impl Value {
    /// Appends the value's canonical bytes to `out` (a tag, then the contents, length-prefixed
    /// where their length varies), so that equal rows digest equally on both sides.
    pub fn digest_into(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.push(0),
            Value::Int(n) => {
                out.push(1);
                out.extend_from_slice(&n.to_le_bytes());
            }
            Value::Text(s) => {
                out.push(2);
                out.extend_from_slice(&(s.len() as u64).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            Value::Bool(b) => out.extend_from_slice(&[3, u8::from(*b)]),
            Value::Bytes(b) => {
                out.push(4);
                out.extend_from_slice(&(b.len() as u64).to_le_bytes());
                out.extend_from_slice(b);
            }
        }
    }

    /// The value as a parameter of PostgreSQL's type for `kind`.
    pub fn param(&self, kind: Kind) -> Box<dyn ToSql + Sync + Send> {
        match (self, kind) {
            (Value::Int(n), _) => Box::new(Some(*n)),
            (Value::Text(s), _) => Box::new(Some(s.clone())),
            (Value::Bool(b), _) => Box::new(Some(*b)),
            (Value::Bytes(b), _) => Box::new(Some(b.clone())),
            (Value::Null, Kind::Int) => Box::new(None::<i64>),
            (Value::Null, Kind::Text) => Box::new(None::<String>),
            (Value::Null, Kind::Bool) => Box::new(None::<bool>),
            (Value::Null, Kind::Bytes) => Box::new(None::<Vec<u8>>),
        }
    }
}

/// PostgreSQL's type of a column of `kind`.
pub fn pg_type(kind: Kind) -> Type {
    match kind {
        Kind::Int => Type::INT8,
        Kind::Text => Type::TEXT,
        Kind::Bool => Type::BOOL,
        Kind::Bytes => Type::BYTEA,
    }
}

/// Column `i` of a SQLite row, read as `kind`.
pub fn from_sqlite(row: &rusqlite::Row<'_>, i: usize, kind: Kind) -> rusqlite::Result<Value> {
    use rusqlite::types::ValueRef;
    Ok(match (row.get_ref(i)?, kind) {
        (ValueRef::Null, _) => Value::Null,
        (ValueRef::Integer(n), Kind::Bool) => Value::Bool(n != 0),
        (ValueRef::Integer(n), _) => Value::Int(n),
        (ValueRef::Text(t), _) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        i,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?
                .to_owned(),
        ),
        (ValueRef::Blob(b), _) => Value::Bytes(b.to_vec()),
        (ValueRef::Real(r), _) => Value::Text(r.to_string()),
    })
}

/// Column `i` of a PostgreSQL row, read as `kind`.
pub fn from_pg(
    row: &tokio_postgres::Row,
    i: usize,
    kind: Kind,
) -> Result<Value, tokio_postgres::Error> {
    Ok(match kind {
        Kind::Int => row
            .try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int),
        Kind::Text => row
            .try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text),
        Kind::Bool => row
            .try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, Value::Bool),
        Kind::Bytes => row
            .try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Bytes),
    })
}
