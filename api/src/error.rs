//! The one error type of the HTTP API and its JSON body.
//!
//! Every failure leaves the server as `{"error": {"code": "…", "message": "…"}}` with the
//! status its [`ApiError`] names. Store errors map one to one, so a resource of another
//! streamer (which the store reports exactly like a missing one) gets exactly the response a
//! missing one gets. A [`StoreError::Backend`] is the only 500; its details go to the log, not
//! to the client.

use datastore::{ConflictKind, StoreError};
use schemars::JsonSchema;
use serde::Serialize;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

/// The body of every error response, as sent: `{"error": {"code": "…", "message": "…"}}`
/// (its schema is the OpenAPI document's `ErrorBody`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong, in an [`ErrorBody`].
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code ([`ApiError::code`]: `not_found`, `invalid_body`,
    /// `insufficient_points`, …).
    pub code: &'static str,
    /// What happened, for a person.
    pub message: String,
}

/// An error answered to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON.
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The body is JSON of the wrong shape (a missing or unknown field, a wrong type).
    #[error("the body does not fit this route: {0}")]
    InvalidBody(String),
    /// A value is out of range or badly formed (body, path or query).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field, parameter or path segment.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No credentials, or credentials that are not valid here.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// No route has this path.
    #[error("no route matches this path")]
    NoRoute,
    /// The addressed streamer or resource does not exist (or is another streamer's).
    #[error("{0} not found")]
    NotFound(String),
    /// A route has this path but not this method.
    #[error("this route does not accept {method}")]
    MethodNotAllowed {
        /// The method asked for.
        method: String,
        /// The methods the route accepts, for the `Allow` header.
        allow: String,
    },
    /// The request conflicts with stored state.
    #[error("{message}")]
    Conflict {
        /// A stable machine-readable code (`conflict`, `insufficient_points`, …).
        code: &'static str,
        /// What conflicts.
        message: String,
    },
    /// The body is larger than the limit.
    #[error("the body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Too many requests of this kind from this client or for this streamer.
    #[error("too many requests: try again in {retry_after_s} s")]
    TooManyRequests {
        /// Seconds until the next request is allowed (the `Retry-After` header).
        retry_after_s: u64,
    },
    /// The server is busy with work of this kind; try again later.
    #[error("{what}: try again in {retry_after_s} s")]
    Busy {
        /// What is busy.
        what: &'static str,
        /// Seconds to wait (the `Retry-After` header).
        retry_after_s: u64,
    },
    /// Something the route needs is not configured or not reachable now (the Kick webhook
    /// without Kick's public key, or its store failing: Kick retries a delivery answered so).
    #[error("{0}")]
    Unavailable(String),
    /// The client took too long to send its body.
    #[error("the body did not arrive within {seconds} s")]
    RequestTimeout {
        /// The limit, in seconds.
        seconds: u64,
    },
    /// A body that is not labelled `application/json`.
    #[error("the body must be sent as Content-Type: application/json (got {0})")]
    UnsupportedMediaType(String),
    /// The server failed; the details are in the log.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// An invalid value.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        ApiError::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_)
            | ApiError::InvalidBody(_)
            | ApiError::InvalidInput { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NoRoute | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy { .. } | ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code in the body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::InvalidInput { .. } => "invalid_input",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::NoRoute => "no_route",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Conflict { code, .. } => code,
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::RequestTimeout { .. } => "request_timeout",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Busy { .. } => "busy",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    /// The response: status, JSON body and, where HTTP asks for one, a header.
    pub fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
            },
        };
        let mut response = crate::reply::json(self.status(), &body);
        let headers = response.headers_mut();
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyRequests { retry_after_s } | ApiError::Busy { retry_after_s, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_s));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                if let Ok(v) = HeaderValue::from_str(allow) {
                    headers.insert(header::ALLOW, v);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { resource } => ApiError::NotFound(resource.to_string()),
            StoreError::Conflict { what } => ApiError::Conflict {
                code: match what {
                    ConflictKind::StreamerUsername | ConflictKind::KickUserId => "streamer_exists",
                    ConflictKind::SessionToken => "conflict",
                    ConflictKind::LayoutName => "layout_name_taken",
                },
                message: format!("{what} already exists"),
            },
            e @ StoreError::InsufficientPoints { .. } => ApiError::Conflict {
                code: "insufficient_points",
                message: e.to_string(),
            },
            e @ StoreError::NoPowerupLeft { .. } => ApiError::Conflict {
                code: "no_powerup_left",
                message: e.to_string(),
            },
            e @ StoreError::PowerupDisabled { .. } => ApiError::Conflict {
                code: "powerup_disabled",
                message: e.to_string(),
            },
            StoreError::InvalidInput { field, reason } => ApiError::InvalidInput { field, reason },
            StoreError::Backend { message } => {
                tracing::error!(%message, "the store failed");
                ApiError::Internal
            }
        }
    }
}
