//! JSON read strictly: an object that names a key twice is refused.
//!
//! `serde_json` keeps the last of repeated keys, so `{"amount": 1, "amount": -50}` would mean
//! one thing to a reader that keeps the first and another to the server. The API refuses such
//! a body instead of guessing which was meant.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// A JSON value with no repeated key in any object, at any depth.
pub struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number must be finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(d).map(|v| v.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let StrictValue(value) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key \"{key}\" appears more than once in one object"
                )));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str::<StrictValue>(s).map(|v| v.0)
    }

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        assert!(parse(r#"{"amount":1,"amount":-50}"#).is_err());
        assert!(parse(r#"{"a":{"b":1,"b":1}}"#).is_err());
        assert!(parse(r#"[{"x":[{"k":1,"k":2}]}]"#).is_err());
        let err = parse(r#"{"amount":1,"amount":-50}"#).unwrap_err();
        assert!(err.to_string().contains("\"amount\""), "{err}");
    }

    #[test]
    fn everything_else_reads_as_serde_json_does() {
        for s in [
            r#"{"a":1,"b":{"a":2},"c":[1,2.5,"x",null,true,{"a":-3}]}"#,
            r#"{"big":18446744073709551615,"neg":-9223372036854775808,"f":1e300}"#,
            r#""text""#,
            "[]",
            "{}",
        ] {
            assert_eq!(
                parse(s).unwrap(),
                serde_json::from_str::<Value>(s).unwrap(),
                "{s}"
            );
        }
    }
}
