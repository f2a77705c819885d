//! SOAP Faults: the SOAP 1.2 Code/Subcode chain, Reason and Detail (SOAP 1.1 faultcode and
//! faultstring too), and a coarse [`FaultKind`] decided from the ONVIF `ter:` subcodes.
//!
//! Reading a fault never fails: whatever a camera puts in it, the caller gets the best
//! [`Fault`] that can be made of it, because the fault is already the error being reported.

use std::fmt;

use super::ns;
use super::xml::{Element, QNameValue};

/// Longest detail text kept; a hostile device must not flood logs through a fault.
const MAX_DETAIL: usize = 512;

/// A SOAP Fault as the device sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Local name of `Code/Value`: `Sender`, `Receiver`, `VersionMismatch`, `MustUnderstand`,
    /// `DataEncodingUnknown`. SOAP 1.1 `Client`/`Server` are reported as `Sender`/`Receiver`.
    pub code: String,
    /// The `Subcode/Value` chain, outermost first (`ter:InvalidArgVal`, `ter:NoProfile`).
    pub subcodes: Vec<QNameValue>,
    /// `Reason/Text` (the English one when there are several), trimmed; may be empty.
    pub reason: String,
    /// The text inside `Detail`, trimmed and cut to 512 characters; `None` when empty.
    pub detail: Option<String>,
}

/// What a fault means to a caller, decided from the ONVIF `ter:` subcodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// `ter:NotAuthorized`: credentials missing, wrong, or a WS-Security `Created` outside the
    /// device's replay window (clock skew).
    NotAuthorized,
    /// `ter:ActionNotSupported`, or a gSOAP "Method '...' not implemented" fault that carries no
    /// subcode: the device does not implement this optional operation.
    ActionNotSupported,
    /// `ter:InvalidArgVal`: an argument value is wrong (`ter:NoProfile`, `ter:NoConfig`, ...).
    InvalidArgVal,
    /// `ter:InvalidArgs`: the arguments do not fit the operation.
    InvalidArgs,
    /// `ter:OperationProhibited`: refused by policy (weak password, username clash, ...).
    OperationProhibited,
    /// `ter:TooManyPresets`: the PTZ node has no room for another preset.
    TooManyPresets,
    /// `ter:TooManyUsers` (also `ter:MaxUsers`): the device has no room for another user.
    MaxUsers,
    /// `ter:Action` with no more specific subcode we know: the device tried and failed.
    ActionFailed,
    /// Anything else (including faults without a `ter:` subcode).
    Other,
}

impl Fault {
    /// Reads a `Fault` element (SOAP 1.2 `Code`/`Reason`/`Detail`, or SOAP 1.1
    /// `faultcode`/`faultstring`/`detail`), with any prefix.
    pub fn from_element(fault: &Element) -> Self {
        if fault.child("Code").is_none() && fault.child("faultcode").is_some() {
            return Self::from_soap11(fault);
        }
        let code = fault
            .path_text(&["Code", "Value"])
            .map(|v| fault.resolve_qname(v).local)
            .unwrap_or_default();
        let mut subcodes = Vec::new();
        let mut level = fault.child("Code").and_then(|c| c.child("Subcode"));
        while let Some(sub) = level {
            if let Some(value) = sub.child("Value") {
                let text = value.text_trim();
                if !text.is_empty() {
                    subcodes.push(value.resolve_qname(text));
                }
            }
            level = sub.child("Subcode");
        }
        let reason = fault.child("Reason").map(reason_text).unwrap_or_default();
        let detail = fault.child("Detail").and_then(detail_text);
        Self {
            code,
            subcodes,
            reason,
            detail,
        }
    }

    fn from_soap11(fault: &Element) -> Self {
        let (code, subcodes) = match fault.child("faultcode") {
            Some(fc) => {
                let q = fc.resolve_qname(fc.text_trim());
                let code = match q.local.split('.').next().unwrap_or("") {
                    "Client" => "Sender".to_owned(),
                    "Server" => "Receiver".to_owned(),
                    other => other.to_owned(),
                };
                // A 1.1 device that means an ONVIF error can only say so in faultcode itself.
                let subcodes = if q.ns.as_deref() == Some(ns::SOAP11) {
                    Vec::new()
                } else {
                    vec![q]
                };
                (code, subcodes)
            }
            None => (String::new(), Vec::new()),
        };
        Self {
            code,
            subcodes,
            reason: fault.child_text("faultstring").unwrap_or("").to_owned(),
            detail: fault.child("detail").and_then(detail_text),
        }
    }

    /// The coarse meaning, from the innermost `ter:` subcode we know (so
    /// `ter:Action/ter:TooManyPresets` is [`FaultKind::TooManyPresets`] and
    /// `ter:ActionNotSupported/ter:AudioNotSupported` is [`FaultKind::ActionNotSupported`]).
    pub fn kind(&self) -> FaultKind {
        let known = self
            .subcodes
            .iter()
            .rev()
            .filter(|q| is_ter(q))
            .find_map(|q| {
                Some(match q.local.as_str() {
                    "NotAuthorized" => FaultKind::NotAuthorized,
                    "ActionNotSupported" => FaultKind::ActionNotSupported,
                    "InvalidArgVal" => FaultKind::InvalidArgVal,
                    "InvalidArgs" => FaultKind::InvalidArgs,
                    "OperationProhibited" => FaultKind::OperationProhibited,
                    "TooManyPresets" => FaultKind::TooManyPresets,
                    "TooManyUsers" | "MaxUsers" => FaultKind::MaxUsers,
                    "Action" => FaultKind::ActionFailed,
                    _ => return None,
                })
            });
        if let Some(kind) = known {
            return kind;
        }
        // gSOAP answers an operation it lacks with a bare Sender fault whose only clue is the
        // reason text (reolink/Fault-onvifgo-e1zoom-notimplemented.xml).
        let has_ter = self.subcodes.iter().any(is_ter);
        if !has_ter && self.reason.to_ascii_lowercase().contains("not implemented") {
            return FaultKind::ActionNotSupported;
        }
        FaultKind::Other
    }

    /// True when some level of the subcode chain is `ter:<local>`.
    pub fn has_subcode(&self, local: &str) -> bool {
        self.subcodes.iter().any(|q| is_ter(q) && q.local == local)
    }
}

impl fmt::Display for Fault {
    /// `Sender/ter:InvalidArgVal/ter:NoProfile: reason (detail)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.code.is_empty() {
            "Fault"
        } else {
            &self.code
        })?;
        for q in &self.subcodes {
            match (&q.prefix, is_ter(q)) {
                (_, true) => write!(f, "/ter:{}", q.local)?,
                (Some(p), false) => write!(f, "/{p}:{}", q.local)?,
                (None, false) => write!(f, "/{}", q.local)?,
            }
        }
        if !self.reason.is_empty() {
            write!(f, ": {}", self.reason)?;
        }
        if let Some(d) = &self.detail {
            if *d != self.reason {
                write!(f, " ({d})")?;
            }
        }
        Ok(())
    }
}

/// A subcode in the ONVIF error namespace; an undeclared `ter:` prefix counts too, because the
/// prefix is all such a device gives us.
fn is_ter(q: &QNameValue) -> bool {
    match &q.ns {
        Some(uri) => uri == ns::TER,
        None => q.prefix.as_deref() == Some("ter"),
    }
}

/// The English `Text` if several languages are given, else the first non-empty one.
fn reason_text(reason: &Element) -> String {
    let texts: Vec<&Element> = reason.children_named("Text").collect();
    let english = texts.iter().find(|t| {
        t.attr("lang")
            .is_some_and(|l| l.to_ascii_lowercase().starts_with("en"))
            && !t.text_trim().is_empty()
    });
    english
        .or_else(|| texts.iter().find(|t| !t.text_trim().is_empty()))
        .map(|t| t.text_trim().to_owned())
        .unwrap_or_else(|| reason.text_trim().to_owned())
}

/// All text inside `Detail`, joined by spaces. Hikvision fills it with the literal `NULL`
/// (hikvision/Fault-onvifnvt-ds2df7276-getservices.xml), which says nothing.
fn detail_text(detail: &Element) -> Option<String> {
    fn collect(e: &Element, out: &mut Vec<String>) {
        let t = e.text_trim();
        if !t.is_empty() {
            out.push(t.to_owned());
        }
        for c in &e.children {
            collect(c, out);
        }
    }
    let mut parts = Vec::new();
    collect(detail, &mut parts);
    let text = parts.join(" ");
    if text.is_empty() || text == "NULL" {
        return None;
    }
    Some(if text.chars().count() > MAX_DETAIL {
        let mut cut: String = text.chars().take(MAX_DETAIL).collect();
        cut.push('…');
        cut
    } else {
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::envelope::{self, Reply};
    use crate::soap::xml;

    fn fault_of(doc: &str) -> Fault {
        match envelope::read(doc.as_bytes()).unwrap() {
            Reply::Fault(f) => f,
            other => panic!("expected a fault, got {other:?}"),
        }
    }

    fn locals(f: &Fault) -> Vec<&str> {
        f.subcodes.iter().map(|q| q.local.as_str()).collect()
    }

    #[test]
    fn dahua_leading_space_in_subcode_qname() {
        // dahua/Fault-hammeraj-maxosds.xml writes `<s:Value> ter:MaxOSDs</s:Value>`.
        let f = fault_of(
            r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>ter:Action</s:Value><s:Subcode><s:Value> ter:MaxOSDs</s:Value></s:Subcode></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en">The maximum number of supported OSDs.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"#,
        );
        assert_eq!(f.code, "Receiver");
        assert_eq!(locals(&f), ["Action", "MaxOSDs"]);
        assert_eq!(f.subcodes[1].ns.as_deref(), Some(ns::TER));
        assert!(f.has_subcode("MaxOSDs"));
        assert_eq!(f.kind(), FaultKind::ActionFailed);
    }

    #[test]
    fn innermost_known_subcode_decides_the_kind() {
        let f = fault_of(
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><e:Body><e:Fault><e:Code><e:Value>e:Receiver</e:Value><e:Subcode><e:Value>ter:Action</e:Value><e:Subcode><e:Value>ter:TooManyPresets</e:Value></e:Subcode></e:Subcode></e:Code><e:Reason><e:Text xml:lang="en">Maximum number of Presets reached.</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>"#,
        );
        assert_eq!(f.kind(), FaultKind::TooManyPresets);
        let users = fault_of(
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:t="http://www.onvif.org/ver10/error"><e:Body><e:Fault><e:Code><e:Value>e:Receiver</e:Value><e:Subcode><e:Value>t:Action</e:Value><e:Subcode><e:Value>t:TooManyUsers</e:Value></e:Subcode></e:Subcode></e:Code><e:Reason><e:Text>Maximum number of supported users exceeded.</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>"#,
        );
        // Any prefix: what matters is the ter namespace URI.
        assert_eq!(users.kind(), FaultKind::MaxUsers);
        assert_eq!(
            users.to_string(),
            "Receiver/ter:Action/ter:TooManyUsers: Maximum number of supported users exceeded."
        );
    }

    #[test]
    fn subcodes_outside_the_ter_namespace_do_not_decide_the_kind() {
        let f = fault_of(
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:v="urn:vendor"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>v:NotAuthorized</e:Value></e:Subcode></e:Code><e:Reason><e:Text>no</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>"#,
        );
        assert_eq!(f.kind(), FaultKind::Other);
        assert!(!f.has_subcode("NotAuthorized"));
        assert_eq!(f.to_string(), "Sender/v:NotAuthorized: no");
    }

    #[test]
    fn english_reason_is_preferred_among_languages() {
        let f = fault_of(
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value></e:Code><e:Reason><e:Text xml:lang="de">Nicht erlaubt</e:Text><e:Text xml:lang="en-US">Not allowed</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>"#,
        );
        assert_eq!(f.reason, "Not allowed");
    }

    #[test]
    fn soap11_fault_is_read_leniently() {
        let f = fault_of(
            r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ter="http://www.onvif.org/ver10/error"><S:Body><S:Fault><faultcode>ter:NotAuthorized</faultcode><faultstring>Sender not authorized</faultstring><detail><x>more</x></detail></S:Fault></S:Body></S:Envelope>"#,
        );
        assert_eq!(f.kind(), FaultKind::NotAuthorized);
        assert_eq!(f.reason, "Sender not authorized");
        assert_eq!(f.detail.as_deref(), Some("more"));
        let g = fault_of(
            r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault><faultcode>S:Client.Auth</faultcode><faultstring>bad</faultstring></S:Fault></S:Body></S:Envelope>"#,
        );
        assert_eq!(g.code, "Sender");
        assert!(g.subcodes.is_empty());
    }

    #[test]
    fn a_fault_with_nothing_in_it_is_still_a_fault() {
        let f = fault_of(
            r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault/></e:Body></e:Envelope>"#,
        );
        assert_eq!(f.code, "");
        assert_eq!(f.kind(), FaultKind::Other);
        assert_eq!(f.to_string(), "Fault");
    }

    #[test]
    fn long_detail_is_cut() {
        let long = "d".repeat(5000);
        let root =
            xml::parse(format!("<Fault><Detail><Text>{long}</Text></Detail></Fault>").as_bytes())
                .unwrap();
        let f = Fault::from_element(&root);
        assert_eq!(f.detail.unwrap().chars().count(), MAX_DETAIL + 1);
    }

    // ---- every Fault capture under shared/captures ----------------------------------------

    /// Where the shared captures live: `$CAMSWAP_CAPTURES`, else `shared/captures` in an
    /// ancestor of the crate (the repository sits next to `shared/` in a checkout or worktree).
    pub(crate) fn captures_dir() -> std::path::PathBuf {
        if let Some(dir) = std::env::var_os("CAMSWAP_CAPTURES") {
            return dir.into();
        }
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|a| a.join("shared/captures"))
            .find(|p| p.is_dir())
            .expect("shared/captures not found above the crate; set CAMSWAP_CAPTURES")
    }

    struct Expected {
        file: &'static str,
        code: &'static str,
        subcodes: &'static [&'static str],
        reason: &'static str,
        detail: Option<&'static str>,
        kind: FaultKind,
    }

    const fn e(
        file: &'static str,
        code: &'static str,
        subcodes: &'static [&'static str],
        reason: &'static str,
        detail: Option<&'static str>,
        kind: FaultKind,
    ) -> Expected {
        Expected {
            file,
            code,
            subcodes,
            reason,
            detail,
            kind,
        }
    }

    use FaultKind as K;
    const NOT_IMPL: &str = "The requested action is optional and is not implemented";
    const NOT_AUTH: &str =
        "The action requested requires authorization and the sender is not authorized";
    #[rustfmt::skip]
    const CAPTURED_FAULTS: &[Expected] = &[
        e("axis/Fault-hammeraj-audionotsupported.xml", "Receiver", &["ActionNotSupported", "AudioNotSupported"], "No audio support", Some("The NVT does not support audio"), K::ActionNotSupported),
        e("axis/Fault-hammeraj-norecording.xml", "Sender", &["InvalidArgVal", "NoRecording"], "Recording not found", Some("The requested recording with the specified RecordingToken can not be found"), K::InvalidArgVal),
        e("axis/Fault-hammeraj-tr2-actionnotsupported.xml", "Receiver", &["ActionNotSupported"], "Optional action not implemented", Some(NOT_IMPL), K::ActionNotSupported),
        e("axis/Fault-hammeraj-wellformed.xml", "Sender", &["WellFormed"], "Well-formed error", Some("XML well-formed violation occurred"), K::Other),
        e("axis/Fault-onvifgo-p3818pve-actionnotsupported.xml", "Receiver", &["ActionNotSupported"], "Optional action not implemented", Some(NOT_IMPL), K::ActionNotSupported),
        e("axis/Fault-onvifgo-p3818pve-dpaddresses-emptyreason.xml", "Sender", &[], "", None, K::Other),
        e("axis/Fault-onvifgo-unknownaxis-notauthorized-getsystemdateandtime.xml", "Sender", &["NotAuthorized"], "Sender not authorized", Some(NOT_AUTH), K::NotAuthorized),
        e("axis/Fault-onvifnvt-q6045e-getservices.xml", "Receiver", &["Action"], "Action failed", Some("The requested SOAP action failed"), K::ActionFailed),
        e("bosch/Fault-onvifgo-autodome5000i-action-failed.xml", "Receiver", &["Action"], "Action Failed", None, K::ActionFailed),
        e("bosch/Fault-onvifgo-panoramic5100i-incompleteconfiguration.xml", "Receiver", &["Action", "IncompleteConfiguration"], "Configuration not complete", None, K::ActionFailed),
        e("dahua/Fault-hammeraj-actionnotsupported.xml", "Sender", &["ActionNotSupported", "NotImplemented"], "This optional method is not implemented", None, K::ActionNotSupported),
        e("dahua/Fault-hammeraj-maxosds.xml", "Receiver", &["Action", "MaxOSDs"], "The maximum number of supported OSDs.", None, K::ActionFailed),
        e("generic/Fault-easyonvif-ipdh4k8m05.xml", "Sender", &[], "Method 'GetStorageConfigurations' not implemented: method name or namespace not recognized", None, K::ActionNotSupported),
        e("generic/Fault-easyonvif-ipg8150pss.xml", "Receiver", &["ActionNotSupported"], "Action Not Implemented", None, K::ActionNotSupported),
        e("hikvision/Fault-easyonvif-enp1a14.xml", "Sender", &["OperationProhibited", "Password"], "Too weak password.", None, K::OperationProhibited),
        e("hikvision/Fault-hammeraj-invalidparameter.xml", "Sender", &["InvalidArgVal", "InvalidParameter"], "the parameter value is illegal", Some("token is null"), K::InvalidArgVal),
        e("hikvision/Fault-hammeraj-noconfig.xml", "Sender", &["InvalidArgVal", "NoConfig"], "The requested configuration does not exist.", None, K::InvalidArgVal),
        e("hikvision/Fault-onvifnvt-ds2df7276-getservices.xml", "Sender", &["InvalidArgVal", "InvalidParameter"], "the parameter value is illegal", None, K::InvalidArgVal),
        e("pelco/Fault-onvifnvt-d6230l-getaudiodecoderconfigurations.xml", "Receiver", &["ActionNotSupported", "AudioDecodingNotSupported"], "Audio Decoding is not supported.", None, K::ActionNotSupported),
        e("reolink/Fault-onvifgo-e1zoom-notimplemented.xml", "Sender", &[], "Method 'tds:GetRelayOutputs' not implemented: method name or namespace not recognized", None, K::ActionNotSupported),
        e("trendnet/Fault-onvifnvt-tvip320pi-getdeviceinformation.xml", "Sender", &["NotAuthorized"], NOT_AUTH, None, K::NotAuthorized),
        e("uniview/Fault-easyonvif-sunba.xml", "Receiver", &["ActionNotSupported"], "Optional Action Not Implemented", None, K::ActionNotSupported),
        e("uniview/Fault-hammeraj-noconfig.xml", "Sender", &["InvalidArgVal", "NoConfig"], "Configuration token does not exist", None, K::InvalidArgVal),
    ];

    /// Not a Fault at all: HTTP 500 with an empty Body. The client turns it into an error.
    const EMPTY_BODY_FAULTS: &[&str] =
        &["bosch/Fault-onvifgo-panoramic5100i-http500-emptybody.xml"];

    #[test]
    fn every_fault_capture_parses_to_its_code_subcodes_and_reason() {
        let dir = captures_dir();
        for x in CAPTURED_FAULTS {
            let bytes =
                std::fs::read(dir.join(x.file)).unwrap_or_else(|e| panic!("{}: {e}", x.file));
            let f = match envelope::read(&bytes) {
                Ok(Reply::Fault(f)) => f,
                other => panic!("{}: expected a fault, got {other:?}", x.file),
            };
            assert_eq!(f.code, x.code, "{}", x.file);
            assert_eq!(locals(&f), x.subcodes, "{}", x.file);
            assert!(
                f.subcodes.iter().all(is_ter),
                "{}: {:?}",
                x.file,
                f.subcodes
            );
            assert_eq!(f.reason, x.reason, "{}", x.file);
            assert_eq!(f.detail.as_deref(), x.detail, "{}", x.file);
            assert_eq!(f.kind(), x.kind, "{}", x.file);
        }
        for file in EMPTY_BODY_FAULTS {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            assert!(matches!(envelope::read(&bytes), Ok(Reply::Empty)), "{file}");
        }
    }

    #[test]
    fn no_fault_capture_is_left_out_of_the_list() {
        let dir = captures_dir();
        let mut on_disk = Vec::new();
        for vendor in std::fs::read_dir(&dir).unwrap() {
            let vendor = vendor.unwrap().path();
            if !vendor.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(&vendor).unwrap() {
                let name = f.unwrap().file_name().into_string().unwrap();
                if name.starts_with("Fault-") && name.ends_with(".xml") {
                    let v = vendor.file_name().unwrap().to_str().unwrap();
                    on_disk.push(format!("{v}/{name}"));
                }
            }
        }
        on_disk.sort();
        let mut listed: Vec<String> = CAPTURED_FAULTS
            .iter()
            .map(|x| x.file.to_owned())
            .chain(EMPTY_BODY_FAULTS.iter().map(|f| (*f).to_owned()))
            .collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn hikvision_detail_null_is_no_detail() {
        // hikvision/Fault-onvifnvt-ds2df7276-getservices.xml
        let root = xml::parse(b"<Fault><Detail><Text>NULL</Text></Detail></Fault>").unwrap();
        assert_eq!(Fault::from_element(&root).detail, None);
    }

    #[test]
    fn gsoap_method_not_implemented_without_subcode_is_action_not_supported() {
        // reolink/Fault-onvifgo-e1zoom-notimplemented.xml
        let f = fault_of(
            r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"><SOAP-ENV:Body><SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value></SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">Method 'tds:GetRelayOutputs' not implemented: method name or namespace not recognized</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"#,
        );
        assert_eq!(f.kind(), FaultKind::ActionNotSupported);
    }
}
