//! Request bodies: read with a size limit, parsed as JSON with precise errors.

use crate::error::ApiError;
use crate::strict_json::StrictValue;
use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use warp::http::HeaderMap;
use warp::http::header::{CONTENT_LENGTH, CONTENT_TYPE};

/// The largest body the server reads: 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads the whole body, refusing one over `limit` bytes: at once when its `Content-Length`
/// says so, otherwise as soon as the chunks read pass the limit (chunked uploads).
pub async fn read<S, B>(headers: &HeaderMap, body: S, limit: usize) -> Result<Bytes, ApiError>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut out = BytesMut::with_capacity(declared.map_or(0, |n| n as usize));
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = body.next().await {
        let mut chunk =
            chunk.map_err(|e| ApiError::InvalidBody(format!("it could not be read: {e}")))?;
        if out.len() + chunk.remaining() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            let n = part.len();
            out.extend_from_slice(part);
            chunk.advance(n);
        }
    }
    Ok(out.freeze())
}

/// Refuses a body not labelled `Content-Type: application/json` (parameters such as
/// `charset=utf-8` are allowed). Besides saying what the client meant, this keeps a web page
/// from driving "simple" cross-origin POSTs (form or text bodies) from its visitors' browsers.
pub fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let media_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim());
    match media_type {
        Some(t) if t.eq_ignore_ascii_case("application/json") => Ok(()),
        other => Err(ApiError::UnsupportedMediaType(
            other.unwrap_or("none").chars().take(100).collect(),
        )),
    }
}

/// Parses a JSON body: [`ApiError::MalformedJson`] when it is not JSON, and
/// [`ApiError::InvalidBody`] when it is JSON of the wrong shape. The syntax is checked over the
/// whole body first, so a truncated body is malformed even when its first field is wrong.
/// Every body is a JSON object (serde would otherwise read a struct from an array), and no
/// object in it names a key twice ([`StrictValue`]).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let StrictValue(value) = serde_json::from_slice(body).map_err(|e| match e.classify() {
        Category::Data => ApiError::InvalidBody(e.to_string()),
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson(e.to_string()),
    })?;
    if !value.is_object() {
        return Err(ApiError::InvalidBody(
            "the body must be a JSON object".into(),
        ));
    }
    serde_json::from_value(value).map_err(|e| ApiError::InvalidBody(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    fn chunks(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, warp::Error>> {
        stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_declared_or_not() {
        let mut h = HeaderMap::new();
        assert_eq!(
            read(&h, chunks(&[b"abc", b"def"]), 6).await.unwrap(),
            Bytes::from_static(b"abcdef")
        );
        assert_eq!(
            read(&h, chunks(&[b"abc", b"defg"]), 6).await.unwrap_err(),
            ApiError::PayloadTooLarge { limit: 6 }
        );
        h.insert(CONTENT_LENGTH, "7".parse().unwrap());
        assert_eq!(
            read(&h, chunks(&[]), 6).await.unwrap_err(),
            ApiError::PayloadTooLarge { limit: 6 }
        );
    }

    #[test]
    fn syntax_and_shape_errors_differ() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            n: i64,
        }
        assert!(matches!(parse::<T>(b"{"), Err(ApiError::MalformedJson(_))));
        assert!(matches!(
            parse::<T>(br#"{"zz": "#),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(parse::<T>(b""), Err(ApiError::MalformedJson(_))));
        assert!(matches!(
            parse::<T>(br#"{"n":"x"}"#),
            Err(ApiError::InvalidBody(_))
        ));
        assert_eq!(parse::<T>(br#"{"n":3}"#).unwrap().n, 3);
        assert!(matches!(parse::<T>(b"[3]"), Err(ApiError::InvalidBody(_))));
        assert!(matches!(
            parse::<T>(br#"{"n":1,"n":-50}"#),
            Err(ApiError::InvalidBody(_))
        ));
    }

    #[test]
    fn only_json_bodies_are_read() {
        let with = |t: &str| {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_TYPE, t.parse().unwrap());
            require_json(&h)
        };
        assert!(with("application/json").is_ok());
        assert!(with("Application/JSON; charset=utf-8").is_ok());
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/xml",
            "application/jsonx",
        ] {
            assert!(
                matches!(with(bad), Err(ApiError::UnsupportedMediaType(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            require_json(&HeaderMap::new()),
            Err(ApiError::UnsupportedMediaType(_))
        ));
    }
}
