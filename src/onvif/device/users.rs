//! Device users: GetUsers (names and levels, never passwords) and the writes that recreate
//! them. Passwords travel in request payloads only: `Debug` hides them and no error names them.

use super::SERVICE;
use crate::model::User;
use crate::onvif::operation::{Cursor, Operation, push_text};
use crate::onvif::{ParseError, RequestError};

/// A user level (`tt:UserLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserLevel {
    /// Full control.
    Administrator,
    /// Operates the device, cannot administer it.
    Operator,
    /// Views.
    User,
    /// Unauthenticated access (devices refuse to create such users).
    Anonymous,
    /// Device-specific.
    Extended,
}

impl UserLevel {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "Administrator",
            Self::Operator => "Operator",
            Self::User => "User",
            Self::Anonymous => "Anonymous",
            Self::Extended => "Extended",
        }
    }

    /// Reads a wire value, any case.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Administrator,
            Self::Operator,
            Self::User,
            Self::Anonymous,
            Self::Extended,
        ]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// GetUsers: names and levels. A `Password` element, should a device send one, is never read.
/// The level is kept as sent (normalised in case when it is a known one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetUsers;

impl Operation for GetUsers {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "GetUsers";
    type Response = Vec<User>;

    fn read(&self, r: Cursor<'_>) -> Result<Vec<User>, ParseError> {
        r.each("User", |u| {
            let username = u.str("Username")?.to_owned();
            let level = u.str("UserLevel")?;
            Ok(User {
                username,
                level: UserLevel::parse(level)
                    .map_or(level, |l| l.as_str())
                    .to_owned(),
            })
        })
    }
}

/// Writes one `tds:User`.
fn write_user<O: Operation>(
    out: &mut String,
    username: &str,
    password: Option<&str>,
    level: UserLevel,
) -> Result<(), RequestError> {
    if username.trim().is_empty() {
        return Err(O::missing("User/Username"));
    }
    out.push_str("<tds:User>");
    push_text(out, "tt:Username", username);
    if let Some(p) = password {
        push_text(out, "tt:Password", p);
    }
    push_text(out, "tt:UserLevel", level.as_str());
    out.push_str("</tds:User>");
    Ok(())
}

/// CreateUsers for one user. The password is written into the request payload and nowhere
/// else: never log the payload (the SOAP layer redacts it).
#[derive(Clone, PartialEq, Eq)]
pub struct CreateUsers {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Level.
    pub level: UserLevel,
}

impl std::fmt::Debug for CreateUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUsers")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("level", &self.level)
            .finish()
    }
}

impl Operation for CreateUsers {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "CreateUsers";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        write_user::<Self>(out, &self.username, Some(&self.password), self.level)
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// SetUser for one existing user: a new level, and a new password when given (same care as
/// [`CreateUsers`]).
#[derive(Clone, PartialEq, Eq)]
pub struct SetUser {
    /// User name.
    pub username: String,
    /// New password, if it changes.
    pub password: Option<String>,
    /// Level.
    pub level: UserLevel,
}

impl std::fmt::Debug for SetUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetUser")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("level", &self.level)
            .finish()
    }
}

impl Operation for SetUser {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "SetUser";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        write_user::<Self>(out, &self.username, self.password.as_deref(), self.level)
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// DeleteUsers (at least one name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteUsers {
    /// User names (blank ones are left out).
    pub usernames: Vec<String>,
}

impl Operation for DeleteUsers {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "DeleteUsers";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        let names = self.usernames.iter().filter(|u| !u.trim().is_empty());
        let mut any = false;
        for u in names {
            push_text(out, "tds:Username", u);
            any = true;
        }
        if !any {
            return Err(Self::missing("Username"));
        }
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}
