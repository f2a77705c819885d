//! Device users: GetUsers (names and levels, never passwords) and the writes that recreate
//! them. Passwords travel in request payloads only: `Debug` hides them and no error names them.

use super::SERVICE;
use crate::model::User;
use crate::onvif::RequestError;
use crate::onvif::operation::{Operation, operations, push_text, wire_enum};

wire_enum! {
    /// A user level (`tt:UserLevel`).
    UserLevel {
        /// Full control.
        Administrator = "Administrator",
        /// Operates the device, cannot administer it.
        Operator = "Operator",
        /// Views.
        User = "User",
        /// Unauthenticated access (devices refuse to create such users).
        Anonymous = "Anonymous",
        /// Device-specific.
        Extended = "Extended",
    }
}

operations! { SERVICE;
    /// GetUsers: names and levels. A `Password` element, should a device send one, is never
    /// read. The level is kept as sent (normalised in case when it is a known one).
    GetUsers -> Vec<User> => |r| {
        r.each("User", |u| {
            let username = u.str("Username")?.to_owned();
            let level = u.str("UserLevel")?;
            let level = UserLevel::parse(level).map_or(level, |l| l.as_str());
            Ok(User { username, level: level.to_owned() })
        })
    };
    /// CreateUsers for one user. The password is written into the request payload and nowhere
    /// else: never log the payload (the SOAP layer redacts it).
    CreateUsers [Clone, PartialEq, Eq] {
        /// User name.
        username: String,
        /// Password.
        password: String,
        /// Level.
        level: UserLevel
    } write |op, out| {
        write_user::<Self>(out, &op.username, Some(&op.password), op.level)
    } -> () => |_r| Ok(());
    /// SetUser for one existing user: a new level, and a new password when given (same care as
    /// [`CreateUsers`]).
    SetUser [Clone, PartialEq, Eq] {
        /// User name.
        username: String,
        /// New password, if it changes.
        password: Option<String>,
        /// Level.
        level: UserLevel
    } write |op, out| {
        write_user::<Self>(out, &op.username, op.password.as_deref(), op.level)
    } -> () => |_r| Ok(());
    /// DeleteUsers (at least one name).
    DeleteUsers [Debug, Clone, Default, PartialEq, Eq] {
        /// User names (blank ones are left out).
        usernames: Vec<String>
    } write |op, out| {
        let names = op.usernames.iter().filter(|u| !u.trim().is_empty());
        let written = names.map(|u| push_text(out, "tds:Username", u)).count();
        if written == 0 {
            return Err(Self::missing("Username"));
        }
        Ok(())
    } -> () => |_r| Ok(());
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

// Passwords never reach a log through `Debug`.
impl std::fmt::Debug for CreateUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (user, level) = (&self.username, self.level);
        write!(
            f,
            "CreateUsers {{ username: {user:?}, password: \"***\", level: {level:?} }}"
        )
    }
}

impl std::fmt::Debug for SetUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (user, level) = (&self.username, self.level);
        let password = self.password.as_ref().map(|_| "***");
        write!(
            f,
            "SetUser {{ username: {user:?}, password: {password:?}, level: {level:?} }}"
        )
    }
}
