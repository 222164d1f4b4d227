//! The origins the operator allows to use the protected routes, compared as browsers send
//! them.

use std::fmt;
use std::sync::Arc;

/// An origin the operator configured that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "--cors-origin {0:?} is not an origin: give scheme://host or scheme://host:port, such as \
     https://dashboard.example.com (no path, no wildcard)"
)]
pub struct NotAnOrigin(pub String);

/// The origins the operator allowed to use the protected routes (none by default).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CorsOrigins(Arc<Vec<String>>);

impl CorsOrigins {
    /// No origin: only public routes are shared, with anyone.
    pub fn none() -> Self {
        Self::default()
    }

    /// The origins `list` names (`https://dashboard.example.com`, `http://localhost:5173`),
    /// compared as browsers send them: scheme and host in lower case, without a default port or
    /// a trailing `/`. Empty entries are skipped; `*`, `null` and anything with a path are
    /// refused.
    pub fn new<S: AsRef<str>>(list: impl IntoIterator<Item = S>) -> Result<Self, NotAnOrigin> {
        let mut out = Vec::new();
        for raw in list {
            let raw = raw.as_ref().trim();
            if raw.is_empty() {
                continue;
            }
            let origin = normalize(raw).ok_or_else(|| NotAnOrigin(raw.to_owned()))?;
            if !out.contains(&origin) {
                out.push(origin);
            }
        }
        Ok(CorsOrigins(Arc::new(out)))
    }

    /// Whether `origin` (an `Origin` header's value) is one of them.
    pub fn allows(&self, origin: &str) -> bool {
        normalize(origin).is_some_and(|o| self.0.contains(&o))
    }

    /// The configured origins, normalized.
    pub fn list(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Debug for CorsOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

/// `scheme://host[:port]` in lower case, without a default port; `None` for anything else.
fn normalize(raw: &str) -> Option<String> {
    let raw = raw.strip_suffix('/').unwrap_or(raw).to_ascii_lowercase();
    let (scheme, authority) = raw.split_once("://")?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_lowercase())
        && scheme
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    let authority_ok = !authority.is_empty()
        && !authority.contains(['/', '?', '#', '@', '*', ' ', '\t', ','])
        && !authority.starts_with(':');
    if !scheme_ok || !authority_ok {
        return None;
    }
    let authority = match (scheme, authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host,
        _ => authority,
    };
    if let Some((_, port)) = authority.rsplit_once(':')
        && !authority.ends_with(']')
        && (port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    Some(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_as_browsers_send_them() {
        let o = CorsOrigins::new([
            "https://Dashboard.Example.com/",
            " http://localhost:5173 ",
            "",
            "https://x.test:443",
            "http://[::1]:8080",
        ])
        .unwrap();
        assert_eq!(
            o.list(),
            [
                "https://dashboard.example.com",
                "http://localhost:5173",
                "https://x.test",
                "http://[::1]:8080"
            ]
        );
        assert!(o.allows("https://dashboard.example.com"));
        assert!(o.allows("https://x.test"));
        assert!(o.allows("http://[::1]:8080"));
        assert!(!o.allows("http://dashboard.example.com"));
        assert!(!o.allows("https://dashboard.example.com.evil.test"));
        assert!(!o.allows("http://localhost:5174"));
        assert!(!o.allows("null"));
        assert!(!CorsOrigins::none().allows("https://dashboard.example.com"));
    }

    #[test]
    fn what_is_not_an_origin_is_refused() {
        for bad in [
            "*",
            "null",
            "dashboard.example.com",
            "https://",
            "https://x.test/app",
            "https://*.example.com",
            "https://user@x.test",
            "https://x.test:port",
            "https://x.test:",
            "1http://x.test",
        ] {
            assert_eq!(
                CorsOrigins::new([bad]),
                Err(NotAnOrigin(bad.to_owned())),
                "{bad}"
            );
        }
    }
}
