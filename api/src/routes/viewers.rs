//! Viewers proving who they are through the streamer's chat, and their own profile.

use crate::handlers::viewers;
use crate::models::viewers::{
    CodeProof, LogIn, SessionIssued, VerificationConfirmed, VerificationIssued, VerificationRequest,
};
use crate::route::{Route, route};
use datastore::{ProfileUpdate, User};

/// The table.
pub const ROUTES: &[Route] = &[
    route!(Post "/{streamer}/api/verifications", Public, 201, "Ask for a code to type in the streamer's chat, and the login secret to keep", viewers::request_code, req: VerificationRequest, res: VerificationIssued,
        body: r#"{"username": "alice"}"#, also: [429]),
    route!(Post "/{streamer}/api/verifications/confirm", Admin, 200, "The chat bot saw the code from that username", viewers::confirm_code, req: CodeProof, res: VerificationConfirmed,
        body: r#"{"username": "alice", "code": "K7QX2M9P"}"#),
    route!(Post "/{streamer}/api/sessions", Public, 201, "Log in with a confirmed code and its login secret; the answer holds the session token, shown once", viewers::log_in, req: LogIn, res: SessionIssued,
        body: r#"{"username": "alice", "code": "K7QX2M9P", "login_secret": "kvl_…"}"#, also: [401]),
    route!(Delete "/{streamer}/api/sessions", Viewer, 204, "Log out (the session token stops working)", viewers::log_out),
    route!(Get "/{streamer}/api/me", Viewer, 200, "The logged-in viewer", viewers::me, res: User),
    route!(Patch "/{streamer}/api/me", Viewer, 200, "Edit one's own voice, drop image and country (null clears)", viewers::update_me, req: ProfileUpdate, res: User,
        body: r#"{"voice_id": "en-US-2", "drop_image": "https://example.com/me.png", "country": "US"}"#),
];
