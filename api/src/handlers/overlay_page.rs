//! The overlay page: one HTML document, built into the binary, the same for every streamer.
//!
//! The page holds nothing of any streamer: it reads the streamer's leaderboard, goals, tips and
//! theme from the public routes beside its own path (`…/{streamer}/api/…`, relative, so it works
//! behind a path prefix) and follows the streamer's event stream. Its markup, style and script
//! are in `api/assets/overlay/`: plain files, no build step, nothing fetched from elsewhere.

use crate::call::{ApiResult, Call};
use crate::reply;
use std::sync::LazyLock;
use warp::http::{HeaderValue, header};

const HTML: &str = include_str!("../../assets/overlay/index.html");
const CSS: &str = include_str!("../../assets/overlay/overlay.css");
const JS: &str = include_str!("../../assets/overlay/overlay.js");

/// What the browser may load for the page: its own inline style and script, and requests to
/// this server only (no fonts, images or scripts from anywhere else).
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
     form-action 'none'";

/// The page, its style and script inlined.
pub fn page_html() -> &'static str {
    static PAGE: LazyLock<String> = LazyLock::new(|| {
        HTML.replacen("/*STYLE*/", CSS, 1)
            .replacen("/*SCRIPT*/", JS, 1)
    });
    &PAGE
}

/// `GET /{streamer}/overlay`. An unknown streamer never gets here: the request filter answers
/// its 404 as for every tenant route.
pub async fn page(c: Call) -> ApiResult {
    c.streamer_id()?;
    let mut r = reply::html(page_html());
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_inlines_its_style_and_script_and_loads_nothing_from_elsewhere() {
        let page = page_html();
        assert!(!page.contains("/*STYLE*/") && !page.contains("/*SCRIPT*/"));
        assert!(page.contains("--brand") && page.contains("new EventSource("));
        for outside in [
            "http://", "https://", "//fonts.", "@import", "<link", " src=",
        ] {
            assert!(!page.contains(outside), "the page loads {outside:?}");
        }
        // Text from the API reaches the page through textContent only.
        assert!(!JS.contains("innerHTML") && !JS.contains("insertAdjacentHTML"));
        assert!(!JS.contains("document.write"));
    }

    /// The script listens by name, and the stream sends each event under its type's name: a
    /// type missing from the script's list never reaches the page.
    #[test]
    fn the_script_listens_for_every_event_type() {
        let start = JS
            .find("var EVENT_TYPES = [")
            .expect("the script's list of types");
        let list = &JS[start..];
        let list = &list[list.find('[').unwrap() + 1..list.find("];").unwrap()];
        let listed: Vec<&str> = list
            .split(',')
            .map(|t| t.trim().trim_matches('\''))
            .filter(|t| !t.is_empty())
            .collect();
        let missing: Vec<&&str> = datastore::EVENT_TYPES
            .iter()
            .filter(|t| !listed.contains(t))
            .collect();
        assert!(
            missing.is_empty(),
            "overlay.js does not listen for {missing:?}"
        );
        let unknown: Vec<&&str> = listed
            .iter()
            .filter(|t| !datastore::EVENT_TYPES.contains(t))
            .collect();
        assert!(
            unknown.is_empty(),
            "overlay.js lists unknown types {unknown:?}"
        );
    }
}
