//! `credentials.toml`: who camswap logs in as, per device, and the admin to create on new cameras.
//!
//! ```toml
//! [default]
//! username = "admin"
//! password_env = "CAMSWAP_PASSWORD"      # or: password = "..." (then the file must be private)
//!
//! [[device]]
//! match = "10.1.2.0/24"                  # an IP, a CIDR, or a device id such as "serial:ABC123"
//! username = "onvif"
//! password_env = "CAMSWAP_ONVIF_PASSWORD"
//!
//! [new]                                  # the administrator apply creates on replacement cameras
//! username = "admin"
//! password_env = "CAMSWAP_NEW_PASSWORD"
//!
//! [[user]]                               # a user carried from an old camera: its password
//! username = "operator"
//! password_env = "CAMSWAP_OPERATOR_PASSWORD"
//! ```
//!
//! A `serial:` entry can only be matched once the serial is known, and a device tells its
//! serial only in GetDeviceInformation, which needs a login: `camswap inventory` reads each
//! device with the login its address or endpoint selects (or `[default]`, or none), and a
//! device whose reported serial selects another entry is read again with that one. A device
//! that refuses the first login never tells its serial, so give such devices an IP or
//! endpoint entry. A device chooses the serial it reports: a `serial:` entry's password goes
//! only to a device that already accepted another login of this file.
//!
//! Passwords live only in memory, inside [`Secret`], whose `Debug` and `Display` print `***`.
//! A file that holds a literal password must not be readable by group or others (like ssh keys).

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::input::InputError;

/// A password. Never printed: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The password itself, for the one place that needs it (the authenticator).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A user name and password, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// User name.
    pub username: String,
    /// Password.
    pub password: Secret,
}

/// Why the credentials file cannot be used. Never contains a password.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The file could not be read.
    #[error("cannot read credentials file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped fields.
    #[error(transparent)]
    Invalid(#[from] InputError),
    /// A literal password in a file others can read.
    #[error(
        "credentials file {path} holds a password but is readable by group or others (mode {mode:o}); run: chmod 600 {path}"
    )]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// An entry has neither `password` nor `password_env`, or both.
    #[error("credentials file {path}: [{section}] needs exactly one of password or password_env")]
    PasswordSource {
        /// The file.
        path: PathBuf,
        /// `default`, `new`, or `device "<match>"`.
        section: String,
    },
    /// `password_env` names a variable that is not set.
    #[error(
        "credentials file {path}: [{section}] password_env {var} is not set in the environment"
    )]
    MissingEnv {
        /// The file.
        path: PathBuf,
        /// Section.
        section: String,
        /// The variable name.
        var: String,
    },
    /// A `match` value is neither an IP, a CIDR nor a device id.
    #[error(
        "credentials file {path}: [[device]] match {value:?} is not an IP address, a CIDR or a device id (serial:/mac:/endpoint:)"
    )]
    BadMatch {
        /// The file.
        path: PathBuf,
        /// The value.
        value: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    username: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    password_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevice {
    #[serde(rename = "match")]
    matcher: String,
    username: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    password_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    default: Option<RawEntry>,
    #[serde(default)]
    device: Vec<RawDevice>,
    #[serde(default)]
    new: Option<RawEntry>,
    #[serde(default)]
    user: Vec<RawEntry>,
}

/// How a `[[device]]` entry picks devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// One address.
    Ip(IpAddr),
    /// A network.
    Net(ipnet::IpNet),
    /// A device id (`serial:...`, `mac:...`, `endpoint:...`).
    Id(String),
}

impl Matcher {
    fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Some(Self::Ip(ip));
        }
        if let Ok(net) = s.parse::<ipnet::IpNet>() {
            return Some(Self::Net(net));
        }
        ["serial:", "mac:", "endpoint:", "xaddr:"]
            .iter()
            .any(|p| s.starts_with(p))
            .then(|| Self::Id(s.to_owned()))
    }

    fn matches(&self, ip: Option<IpAddr>, id: Option<&str>) -> bool {
        match self {
            Self::Ip(a) => ip == Some(*a),
            Self::Net(n) => ip.is_some_and(|ip| n.contains(&ip)),
            Self::Id(i) => id == Some(i.as_str()),
        }
    }
}

/// The resolved credentials file.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    default: Option<Login>,
    devices: Vec<(Matcher, Login)>,
    /// `[new]`, resolved when asked for: only apply needs it, so a missing variable must not
    /// stop `inventory`. `Err` holds the variable that was not set.
    new: Option<Result<Login, String>>,
    /// `[[user]]`: passwords for users carried from old cameras, resolved when apply asks
    /// (`Err` holds the variable that was not set).
    users: Vec<(String, Result<Login, String>)>,
    path: PathBuf,
}

impl Credentials {
    /// No credentials at all (factory-default devices need none).
    pub fn none() -> Self {
        Self::default()
    }

    /// Credentials for every device.
    pub fn with_default(login: Login) -> Self {
        Self {
            default: Some(login),
            ..Self::default()
        }
    }

    /// Loads and resolves a credentials file, reading `password_env` variables through `env`.
    pub fn load(path: &Path) -> Result<Self, CredentialsError> {
        Self::load_with_env(path, &|k| std::env::var(k).ok())
    }

    /// Like [`Credentials::load`] with an injected environment (for tests).
    pub fn load_with_env(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, CredentialsError> {
        let text = std::fs::read_to_string(path).map_err(|source| CredentialsError::Read {
            path: path.to_owned(),
            source,
        })?;
        let raw: RawFile = toml::from_str(&text).map_err(|e| {
            without_values(InputError::from_toml(path.display().to_string(), &text, &e))
        })?;
        let has_literal = raw.default.as_ref().is_some_and(|e| e.password.is_some())
            || raw.new.as_ref().is_some_and(|e| e.password.is_some())
            || raw.device.iter().any(|d| d.password.is_some())
            || raw.user.iter().any(|u| u.password.is_some());
        if has_literal {
            check_private(path)?;
        }
        let resolve = |section: String,
                       username: &str,
                       password: &Option<String>,
                       password_env: &Option<String>|
         -> Result<Login, CredentialsError> {
            let password = match (password, password_env) {
                (Some(p), None) => p.clone(),
                (None, Some(var)) => env(var).ok_or_else(|| CredentialsError::MissingEnv {
                    path: path.to_owned(),
                    section: section.clone(),
                    var: var.clone(),
                })?,
                _ => {
                    return Err(CredentialsError::PasswordSource {
                        path: path.to_owned(),
                        section,
                    });
                }
            };
            Ok(Login {
                username: username.to_owned(),
                password: Secret(password),
            })
        };
        let default = raw
            .default
            .as_ref()
            .map(|e| resolve("default".into(), &e.username, &e.password, &e.password_env))
            .transpose()?;
        let new = match raw.new.as_ref() {
            None => None,
            Some(e) => match resolve("new".into(), &e.username, &e.password, &e.password_env) {
                Ok(login) => Some(Ok(login)),
                Err(CredentialsError::MissingEnv { var, .. }) => Some(Err(var)),
                Err(other) => return Err(other),
            },
        };
        let mut users = Vec::new();
        for e in &raw.user {
            let section = format!("user \"{}\"", e.username);
            match resolve(section, &e.username, &e.password, &e.password_env) {
                Ok(login) => users.push((e.username.clone(), Ok(login))),
                Err(CredentialsError::MissingEnv { var, .. }) => {
                    users.push((e.username.clone(), Err(var)));
                }
                Err(other) => return Err(other),
            }
        }
        let mut devices = Vec::new();
        for d in &raw.device {
            let m = Matcher::parse(&d.matcher).ok_or_else(|| CredentialsError::BadMatch {
                path: path.to_owned(),
                value: d.matcher.clone(),
            })?;
            let login = resolve(
                format!("device \"{}\"", d.matcher),
                &d.username,
                &d.password,
                &d.password_env,
            )?;
            devices.push((m, login));
        }
        Ok(Self {
            default,
            devices,
            new,
            users,
            path: path.to_owned(),
        })
    }

    /// The login for a device: the first `[[device]]` entry that matches its address or id,
    /// else `[default]`, else none.
    pub fn for_device(&self, ip: Option<IpAddr>, id: Option<&str>) -> Option<&Login> {
        self.for_ids(ip, id.as_slice())
    }

    /// Like [`Credentials::for_device`] for a device known by several ids (its endpoint, and
    /// once read, its serial): the first entry matching the address or any of them wins.
    pub fn for_ids(&self, ip: Option<IpAddr>, ids: &[&str]) -> Option<&Login> {
        self.devices
            .iter()
            .find(|(m, _)| m.matches(ip, None) || ids.iter().any(|id| m.matches(None, Some(id))))
            .map(|(_, l)| l)
            .or(self.default.as_ref())
    }

    /// The password for a user carried from an old camera (`[[user]] username = NAME`).
    /// `Ok(None)` when the file has no entry for it; fails when its variable is not set.
    pub fn user(&self, username: &str) -> Result<Option<&Login>, CredentialsError> {
        match self.users.iter().find(|(n, _)| n == username) {
            None => Ok(None),
            Some((_, Ok(login))) => Ok(Some(login)),
            Some((_, Err(var))) => Err(CredentialsError::MissingEnv {
                path: self.path.clone(),
                section: format!("user \"{username}\""),
                var: var.clone(),
            }),
        }
    }

    /// The administrator to create on replacement cameras (`[new]`).
    /// Fails when `[new]` takes its password from a variable that is not set.
    pub fn new_admin(&self) -> Result<Option<&Login>, CredentialsError> {
        match &self.new {
            None => Ok(None),
            Some(Ok(login)) => Ok(Some(login)),
            Some(Err(var)) => Err(CredentialsError::MissingEnv {
                path: self.path.clone(),
                section: "new".into(),
                var: var.clone(),
            }),
        }
    }
}

/// serde quotes the value it rejects (``invalid type: integer `12345`, expected a string``);
/// in this file that value may be a password, so quoted text goes, except in the messages
/// that quote field names (unknown or missing field).
fn without_values(mut e: InputError) -> InputError {
    let names_fields = ["unknown field", "missing field", "duplicate field"]
        .iter()
        .any(|p| e.message.starts_with(p));
    if !names_fields {
        let mut out = String::with_capacity(e.message.len());
        let mut quote = None;
        for c in e.message.chars() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '`' || c == '"' || c == '\'' => {
                    quote = Some(c);
                    // `integer `1`, expected` reads as `integer, expected`.
                    while out.ends_with(' ') {
                        out.pop();
                    }
                }
                None => out.push(c),
            }
        }
        e.message = out;
    }
    e
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), CredentialsError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|source| CredentialsError::Read {
            path: path.to_owned(),
            source,
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(CredentialsError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), CredentialsError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn write(dir: &Path, text: &str, mode: u32) -> PathBuf {
        let p = dir.join("credentials.toml");
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn device_entries_override_the_default_by_ip_cidr_and_id() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            r#"
[default]
username = "admin"
password_env = "PW_DEFAULT"
[[device]]
match = "127.0.1.0/24"
username = "site"
password_env = "PW_SITE"
[[device]]
match = "serial:ABC"
username = "one"
password_env = "PW_ONE"
[new]
username = "newadmin"
password_env = "PW_NEW"
"#,
            0o644,
        );
        let env = |k: &str| Some(format!("value-of-{k}"));
        let c = Credentials::load_with_env(&p, &env).unwrap();
        let l = c
            .for_device(Some("127.0.1.7".parse().unwrap()), None)
            .unwrap();
        assert_eq!(l.username, "site");
        assert_eq!(l.password.expose(), "value-of-PW_SITE");
        assert_eq!(
            c.for_device(None, Some("serial:ABC")).unwrap().username,
            "one"
        );
        assert_eq!(
            c.for_device(Some("10.0.0.1".parse().unwrap()), None)
                .unwrap()
                .username,
            "admin"
        );
        assert_eq!(c.new_admin().unwrap().unwrap().username, "newadmin");
    }

    #[test]
    fn an_unset_new_admin_password_only_matters_when_the_new_admin_is_needed() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "[default]\nusername = \"admin\"\npassword_env = \"PW\"\n[new]\nusername = \"n\"\npassword_env = \"PW_NEW\"\n",
            0o600,
        );
        let env = |k: &str| (k == "PW").then(|| "x".to_owned());
        let c = Credentials::load_with_env(&p, &env).unwrap();
        assert!(c.for_device(None, None).is_some());
        let e = c.new_admin().unwrap_err().to_string();
        assert!(e.contains("[new]") && e.contains("PW_NEW"), "{e}");
    }

    #[test]
    fn a_literal_password_in_a_readable_file_is_refused_without_echoing_it() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[default]\nusername = \"admin\"\npassword = \"hunter2-secret\"\n";
        let p = write(dir.path(), text, 0o644);
        let e = Credentials::load_with_env(&p, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("chmod 600") && !e.contains("hunter2"), "{e}");
        let p = write(dir.path(), text, 0o600);
        let c = Credentials::load_with_env(&p, &|_| None).unwrap();
        assert_eq!(format!("{c:?}").matches("hunter2").count(), 0);
    }

    #[test]
    fn mistakes_are_named_by_section_line_and_variable() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "[default]\nusername = \"a\"\n", 0o600);
        let e = Credentials::load_with_env(&p, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("[default] needs exactly one of"), "{e}");
        let p = write(
            dir.path(),
            "[default]\nusername = \"a\"\npassword_env = \"NOPE\"\n",
            0o600,
        );
        let e = Credentials::load_with_env(&p, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("NOPE is not set"), "{e}");
        let p = write(
            dir.path(),
            "[default]\nusername = \"a\"\npasword = \"x\"\n",
            0o600,
        );
        let e = Credentials::load_with_env(&p, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("pasword"), "{e}");
        // A password of the wrong type is named by its field, never quoted back.
        let p = write(
            dir.path(),
            "[default]\nusername = \"a\"\npassword = 73915\n",
            0o600,
        );
        let e = Credentials::load_with_env(&p, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3, field password") && e.contains("invalid type"),
            "{e}"
        );
        assert!(!e.contains("73915"), "{e}");
        let p = write(
            dir.path(),
            "[default]\nusername = \"a\"\npassword = \"s3cr3t\" junk\n",
            0o600,
        );
        let e = Credentials::load_with_env(&p, &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && !e.contains("s3cr3t"), "{e}");
        let p = write(
            dir.path(),
            "[[device]]\nmatch = \"kitchen\"\nusername = \"a\"\npassword_env = \"X\"\n",
            0o600,
        );
        let e = Credentials::load_with_env(&p, &|_| Some("x".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"kitchen\""), "{e}");
    }

    // Issue 10 item 9: `password = 12345678` (a number, not a string) is a type error whose
    // serde message quotes the value; the error names line and key, never the value.
    #[test]
    fn a_numeric_password_is_not_echoed_in_the_type_error() {
        let dir = tempfile::tempdir().unwrap();
        for (text, line) in [
            ("[default]\nusername = \"admin\"\npassword = 73194628\n", 3),
            ("[default]\nusername = \"admin\"\npassword = 7319.4628\n", 3),
            ("[default]\nusername = \"admin\"\npassword = true\n", 3),
            (
                "[[device]]\nmatch = \"127.0.1.5\"\nusername = \"a\"\npassword = [7319, 4628]\n",
                4,
            ),
        ] {
            let p = write(dir.path(), text, 0o600);
            let e = Credentials::load_with_env(&p, &|_| None)
                .unwrap_err()
                .to_string();
            assert!(
                !e.contains("7319") && !e.contains("4628") && !e.contains("true"),
                "{e}"
            );
            assert!(
                e.contains(&format!("line {line}")) && e.contains("field password"),
                "{e}"
            );
            assert!(e.contains("invalid type") && e.contains("expected"), "{e}");
        }
    }
}
