//! Values with provenance.
//!
//! A security scanner that guesses is worse than none: a value that could not
//! be resolved statically (a variable without default, an attribute known only
//! after apply, the output of a remote module) must never be read as `false`
//! or empty. Every attribute in the model is therefore a [`Val`], which says
//! whether it was written in the source (with its location), filled in from the
//! provider's documented default, or is unknown (with the reason).

use crate::loc::Location;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Val<T> {
    /// Written in (or resolved from) the input.
    Known { value: T, loc: Location },
    /// Not written; the provider's documented default applies.
    Default { value: T },
    /// Could not be decided statically.
    Unknown {
        reason: String,
        loc: Option<Location>,
    },
}

impl<T> Val<T> {
    pub fn known(value: T, loc: Location) -> Self {
        Val::Known { value, loc }
    }
    pub fn default_(value: T) -> Self {
        Val::Default { value }
    }
    pub fn unknown(reason: impl Into<String>, loc: Option<Location>) -> Self {
        Val::Unknown {
            reason: reason.into(),
            loc,
        }
    }

    /// The value when it is decided (written or defaulted); `None` when unknown.
    pub fn get(&self) -> Option<&T> {
        match self {
            Val::Known { value, .. } | Val::Default { value } => Some(value),
            Val::Unknown { .. } => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown { .. })
    }

    pub fn is_default(&self) -> bool {
        matches!(self, Val::Default { .. })
    }

    /// Where the value was written, if it was.
    pub fn loc(&self) -> Option<&Location> {
        match self {
            Val::Known { loc, .. } => Some(loc),
            Val::Unknown { loc, .. } => loc.as_ref(),
            Val::Default { .. } => None,
        }
    }

    pub fn unknown_reason(&self) -> Option<&str> {
        match self {
            Val::Unknown { reason, .. } => Some(reason),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Val<U> {
        match self {
            Val::Known { value, loc } => Val::Known {
                value: f(value),
                loc,
            },
            Val::Default { value } => Val::Default { value: f(value) },
            Val::Unknown { reason, loc } => Val::Unknown { reason, loc },
        }
    }

    pub fn as_ref(&self) -> Val<&T> {
        match self {
            Val::Known { value, loc } => Val::Known {
                value,
                loc: loc.clone(),
            },
            Val::Default { value } => Val::Default { value },
            Val::Unknown { reason, loc } => Val::Unknown {
                reason: reason.clone(),
                loc: loc.clone(),
            },
        }
    }
}

impl<T: Default> Default for Val<T> {
    fn default() -> Self {
        Val::Default {
            value: T::default(),
        }
    }
}

impl<T: PartialEq> Val<T> {
    /// True only when the value is decided and equal to `other`.
    pub fn is(&self, other: &T) -> bool {
        self.get() == Some(other)
    }
}

impl Val<bool> {
    /// Decided and true.
    pub fn is_true(&self) -> bool {
        self.get() == Some(&true)
    }
    /// Decided and false.
    pub fn is_false(&self) -> bool {
        self.get() == Some(&false)
    }
}

impl<T> Val<Option<T>> {
    /// Decided and absent.
    pub fn is_none(&self) -> bool {
        matches!(self.get(), Some(None))
    }
    /// The inner value when decided and present.
    pub fn some(&self) -> Option<&T> {
        self.get().and_then(|o| o.as_ref())
    }
}

/// A link to another resource of the model, by one of its keys (its address,
/// or an ID/ARN/name the resource is known by). Links whose key matches no
/// resource in the model point outside what was scanned.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Ref(pub String);

impl Ref {
    pub fn new(key: impl Into<String>) -> Self {
        Ref(key.into())
    }
    pub fn key(&self) -> &str {
        &self.0
    }
}

/// A string that must never be printed: secret material found in an input.
/// Its `Debug`, `Display` and `Serialize` all print a redaction marker.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The raw secret, for the few checks that must inspect it (entropy,
    /// placeholder detection). Never format it into a message.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

pub const REDACTED: &str = "<redacted>";

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}
impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}
impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_is_never_true_or_false() {
        let v: Val<bool> = Val::unknown("var.x has no value", None);
        assert!(!v.is_true());
        assert!(!v.is_false());
        assert!(v.get().is_none());
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "<redacted> <redacted>");
        assert_eq!(
            serde_json::to_string(&s).unwrap_or_default(),
            "\"<redacted>\""
        );
        assert_eq!(s.expose(), "hunter2");
    }
}
