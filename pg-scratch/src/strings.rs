//! Connection strings, written from a parsed configuration.

use tokio_postgres::config::Host;

/// A `key=value` connection string for `config`, logging in as `login` (user and password)
/// instead of its own user when given.
pub fn conn_string(config: &tokio_postgres::Config, login: Option<(&str, &str)>) -> String {
    let mut parts = Vec::new();
    if let Some(host) = config.get_hosts().first() {
        let host = match host {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        };
        parts.push(("host", host));
    }
    if let Some(port) = config.get_ports().first() {
        parts.push(("port", port.to_string()));
    }
    match login {
        Some((user, password)) => {
            parts.push(("user", user.to_owned()));
            parts.push(("password", password.to_owned()));
        }
        None => {
            if let Some(user) = config.get_user() {
                parts.push(("user", user.to_owned()));
            }
            if let Some(password) = config.get_password() {
                parts.push(("password", String::from_utf8_lossy(password).into_owned()));
            }
        }
    }
    if let Some(db) = config.get_dbname() {
        parts.push(("dbname", db.to_owned()));
    }
    parts
        .into_iter()
        .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect::<Vec<_>>()
        .join(" ")
}
