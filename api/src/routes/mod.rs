//! The route table: every route the server answers, grouped by domain.
//!
//! The table is the single source of truth: the request filter dispatches through it, the
//! OpenAPI document is generated from it, and the isolation tests walk it (a route without
//! an isolation case fails them). Adding a route means adding a [`Route`] to its domain's
//! `ROUTES` and a handler in [`crate::handlers`].
//!
//! Paths are templates: `{streamer}` is the streamer's username (matched ignoring case) and
//! must be the first segment of every tenant route; other `{name}` segments are parameters,
//! percent-decoded. Where two templates match a path, the one with a literal segment earlier
//! wins (`/users/by-name/{username}` beats `/users/{id}/points`).

mod economy;
mod events;
mod goals;
mod kick;
mod meta;
mod operator;
mod overlay;
mod overlay_page;
mod points;
mod powerups;
mod reports;
mod streamer;
mod tips;
mod tokens;
mod users;
mod viewers;

use crate::error::ApiError;
use crate::route::{Route, Verb};
use percent_encoding::percent_decode_str;
use std::sync::LazyLock;
use warp::http::Method;

/// Every route, in table order.
pub fn all() -> &'static [&'static Route] {
    static ALL: LazyLock<Vec<&'static Route>> = LazyLock::new(|| {
        [
            meta::ROUTES,
            operator::ROUTES,
            streamer::ROUTES,
            users::ROUTES,
            points::ROUTES,
            powerups::ROUTES,
            overlay::ROUTES,
            overlay_page::ROUTES,
            tips::ROUTES,
            goals::ROUTES,
            tokens::ROUTES,
            reports::ROUTES,
            viewers::ROUTES,
            events::ROUTES,
            kick::ROUTES,
            economy::ROUTES,
        ]
        .into_iter()
        .flatten()
        .collect()
    });
    &ALL
}

/// A route matched against a request path.
#[derive(Debug)]
pub struct Matched {
    /// The route.
    pub route: &'static Route,
    /// Its parameters, percent-decoded, in template order.
    pub params: Vec<(&'static str, String)>,
}

struct Compiled {
    route: &'static Route,
    segments: Vec<Segment>,
}

enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

fn compiled() -> &'static [Compiled] {
    static COMPILED: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
        all()
            .iter()
            .map(|&route| Compiled {
                route,
                segments: route
                    .path
                    .trim_start_matches('/')
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name),
                            None => Segment::Literal(s),
                        },
                    )
                    .collect(),
            })
            .collect()
    });
    &COMPILED
}

/// Finds the route for `method` and `path`: [`ApiError::NoRoute`] when no template matches
/// the path, [`ApiError::MethodNotAllowed`] when some do but not for this method.
pub fn lookup(method: &Method, path: &str) -> Result<Matched, ApiError> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    let segments: Vec<&str> = trimmed.split('/').collect();
    let verb = Verb::of(method);
    let mut best: Option<(&Compiled, Vec<bool>)> = None;
    let mut allowed: Vec<Verb> = Vec::new();
    for c in compiled() {
        if c.segments.len() != segments.len() {
            continue;
        }
        let mut shape = Vec::with_capacity(segments.len());
        let fits = c.segments.iter().zip(&segments).all(|(t, s)| match t {
            Segment::Literal(l) => {
                shape.push(true);
                l == s
            }
            Segment::Param(_) => {
                shape.push(false);
                !s.is_empty()
            }
        });
        if !fits {
            continue;
        }
        if Some(c.route.verb) != verb {
            allowed.push(c.route.verb);
            continue;
        }
        if best.as_ref().is_none_or(|(_, b)| shape > *b) {
            best = Some((c, shape));
        }
    }
    let Some((c, _)) = best else {
        if allowed.is_empty() {
            return Err(ApiError::NoRoute);
        }
        allowed.sort();
        allowed.dedup();
        return Err(ApiError::MethodNotAllowed {
            method: method.as_str().to_owned(),
            allow: allowed
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let mut params = Vec::new();
    for (t, s) in c.segments.iter().zip(&segments) {
        if let Segment::Param(name) = t {
            let value = percent_decode_str(s)
                .decode_utf8()
                .map_err(|_| ApiError::invalid(name, "is not UTF-8 once percent-decoded"))?;
            params.push((*name, value.into_owned()));
        }
    }
    Ok(Matched {
        route: c.route,
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::Access;

    #[test]
    fn keys_are_unique_and_tenant_routes_start_with_the_streamer() {
        let mut keys: Vec<String> = all().iter().map(|r| r.key()).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n, "two routes share a method and path");
        for r in all() {
            assert!(r.path.starts_with('/'), "{}", r.key());
            let params: Vec<_> = r.params().collect();
            if params.contains(&"streamer") {
                assert!(
                    r.path.starts_with("/{streamer}/api/")
                        || r.path.starts_with("/api/")
                        || r.path == "/{streamer}/overlay",
                    "{}",
                    r.key()
                );
            } else {
                assert!(r.path.starts_with("/api/"), "{}", r.key());
            }
            assert_eq!(
                r.access == Access::Operator,
                r.path.starts_with("/api/streamers")
            );
            if matches!(r.verb, Verb::Get | Verb::Delete) {
                assert!(r.body.is_none(), "{} reads no body", r.key());
            }
        }
    }

    #[test]
    fn literal_segments_win_over_parameters() {
        let m = lookup(&Method::GET, "/alpha/api/users/by-name/points").expect("a route");
        assert_eq!(m.route.path, "/{streamer}/api/users/by-name/{username}");
        assert_eq!(
            m.params,
            vec![
                ("streamer", "alpha".to_owned()),
                ("username", "points".to_owned())
            ]
        );
        let m = lookup(&Method::GET, "/alpha/api/users/7/points").expect("a route");
        assert_eq!(m.route.path, "/{streamer}/api/users/{id}/points");
    }

    #[test]
    fn wrong_methods_and_unknown_paths_are_told_apart() {
        assert!(lookup(&Method::HEAD, "/alpha/api/leaderboard").is_ok());
        assert_eq!(
            lookup(&Method::GET, "/alpha/api/nothing-here").unwrap_err(),
            ApiError::NoRoute
        );
        assert!(matches!(
            lookup(&Method::POST, "/alpha/api/leaderboard").unwrap_err(),
            ApiError::MethodNotAllowed { allow, .. } if allow == "GET"
        ));
        assert_eq!(lookup(&Method::GET, "/").unwrap_err(), ApiError::NoRoute);
        assert_eq!(
            lookup(&Method::GET, "/alpha/api/users//points").unwrap_err(),
            ApiError::NoRoute
        );
    }

    #[test]
    fn parameters_are_percent_decoded() {
        let m = lookup(&Method::GET, "/alpha/api/users/by-name/Zo%C3%AB%20x").expect("a route");
        assert_eq!(m.params[1], ("username", "Zoë x".to_owned()));
        assert!(matches!(
            lookup(&Method::GET, "/alpha/api/users/by-name/%FF").unwrap_err(),
            ApiError::InvalidInput { .. }
        ));
    }

    #[test]
    fn every_root_segment_of_the_table_is_a_reserved_name() {
        let missing: Vec<&str> = all()
            .iter()
            .filter_map(|r| r.path.split('/').nth(1))
            .filter(|first| !first.starts_with('{'))
            .filter(|first| !crate::accounts::RESERVED_NAMES.contains(first))
            .collect();
        assert!(
            missing.is_empty(),
            "routes start with names a streamer could take: add {missing:?} to \
             accounts::RESERVED_NAMES"
        );
    }
}
