//! api/README.md lists every route of the table, as the table says.

use api::route::Access;
use api::routes;

fn table() -> String {
    let mut out =
        String::from("| method | path | credentials | status | what |\n|---|---|---|---|---|\n");
    for r in routes::all() {
        let access = match r.access {
            Access::Public => "none",
            Access::Operator => "operator key",
            Access::Admin => "admin key",
            Access::Viewer => "viewer session",
            Access::Overlay => "overlay key (`?key=`) or admin key",
        };
        out.push_str(&format!(
            "| {} | `{}` | {access} | {} | {} |\n",
            r.verb.as_str(),
            r.path,
            r.status,
            r.summary
        ));
    }
    out
}

#[test]
fn the_readme_route_table_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&path).expect("api/README.md");
    let (begin, end) = ("<!-- routes:begin -->\n", "<!-- routes:end -->");
    let start = text.find(begin).expect("the begin marker") + begin.len();
    let stop = text.find(end).expect("the end marker");
    let want = table();
    if std::env::var_os("UPDATE_ROUTES").is_some() {
        let updated = format!("{}{}{}", &text[..start], want, &text[stop..]);
        std::fs::write(&path, updated).expect("writing api/README.md");
        return;
    }
    assert_eq!(
        &text[start..stop],
        want,
        "api/README.md is stale: run `UPDATE_ROUTES=1 cargo test -p api --test readme`"
    );
}
