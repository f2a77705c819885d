//! Addresses as camswap handles them: read the way the HTTP client reads them, and never stored
//! with a credential in them.
//!
//! Every question about "which host is this URL" goes through [`url::Url`], the parser reqwest
//! itself uses (`reqwest::Url` is the same type). Splitting an authority by hand disagrees with
//! it on inputs a hostile device can choose: `http://10.0.0.99:80\@10.0.0.5/x` looks like
//! userinfo `10.0.0.99:80\` at host `10.0.0.5` to a splitter, while the HTTP client treats `\`
//! as `/` in http(s) URLs and connects to 10.0.0.99. Credentials follow the connection, so the
//! check must follow the parser.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

/// Why an address cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Empty, or not an absolute URL.
    #[error("{address:?} is not a URL: {reason}")]
    NotUrl {
        /// The address, without userinfo.
        address: String,
        /// What the parser said.
        reason: String,
    },
    /// A scheme camswap does not speak for this purpose.
    #[error("{address:?} has scheme {scheme:?}; expected http or https")]
    Scheme {
        /// The address, without userinfo.
        address: String,
        /// Its scheme.
        scheme: String,
    },
    /// No host between `://` and the path (`http:///onvif` would otherwise be read as the
    /// host `onvif`, looked up in DNS).
    #[error("{address:?} names no host")]
    NoHost {
        /// The address, without userinfo.
        address: String,
    },
}

/// Where an HTTP(S) request goes: scheme, host and port, as the HTTP client connects.
///
/// Two URLs with the same origin reach the same server; credentials for a device go to the
/// origin the device was reached at and nowhere else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    scheme: String,
    host: Host<String>,
    port: u16,
}

impl Origin {
    /// The origin of an absolute http(s) URL with a host.
    pub fn of(address: &str) -> Result<Self, AddressError> {
        Self::of_url(&http_url(address)?)
    }

    /// The origin of a parsed URL (http or https with a host).
    pub fn of_url(url: &Url) -> Result<Self, AddressError> {
        let shown = || redact_uri(url.as_str());
        if !matches!(url.scheme(), "http" | "https") {
            return Err(AddressError::Scheme {
                address: shown(),
                scheme: url.scheme().to_owned(),
            });
        }
        let host = match url.host() {
            Some(h) if !h.to_string().is_empty() => h.to_owned(),
            _ => return Err(AddressError::NoHost { address: shown() }),
        };
        Ok(Self {
            scheme: url.scheme().to_owned(),
            host,
            port: url.port_or_known_default().unwrap_or(0),
        })
    }

    /// The host as text (IPv6 in brackets), for building URLs.
    pub fn host(&self) -> String {
        self.host.to_string()
    }

    /// The port, default ports included (80, 443).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// Parses an absolute http(s) URL that names a host, as the HTTP client will read it.
///
/// Refuses what the client would quietly turn into something else: an empty string, a URL
/// with an empty authority (`http:///onvif/device_service`, which the URL standard reads as
/// host `onvif`), `http:host/x` without `//`, and other schemes.
pub fn http_url(address: &str) -> Result<Url, AddressError> {
    let shown = || redact_uri(address.trim());
    let trimmed = address.trim();
    if trimmed.is_empty() {
        return Err(AddressError::NotUrl {
            address: String::new(),
            reason: "the address is empty".to_owned(),
        });
    }
    let Some(scheme_end) = trimmed.find("://") else {
        return Err(AddressError::NotUrl {
            address: shown(),
            reason: "no scheme:// at the start".to_owned(),
        });
    };
    let rest = &trimmed[scheme_end + 3..];
    if rest[..authority_end(&trimmed[..scheme_end], rest)].is_empty() {
        return Err(AddressError::NoHost { address: shown() });
    }
    let url = Url::parse(trimmed).map_err(|e| AddressError::NotUrl {
        address: shown(),
        reason: e.to_string(),
    })?;
    Origin::of_url(&url)?;
    Ok(url)
}

/// A URI as camswap writes it anywhere (file, log, error): without `user:password@`, and with
/// the value of every credential-carrying parameter (`password=`, `pwd=`, `auth=<base64>`,
/// `token=`, `user=`..., see [`redact_text`]) replaced by `***`. The one redaction for URIs.
///
/// The authority ends where the HTTP client says it does (`\` ends it in http(s) URLs), so
/// what is shown is the host that is connected to.
pub fn redact_uri(uri: &str) -> String {
    let stripped = match uri.find("://") {
        None => uri,
        Some(scheme_end) => {
            let rest = &uri[scheme_end + 3..];
            let end = authority_end(&uri[..scheme_end], rest);
            match rest[..end].rfind('@') {
                Some(at) => &format!("{}{}", &uri[..scheme_end + 3], &rest[at + 1..]),
                None => uri,
            }
        }
    };
    redact_parameters(stripped)
}

/// Text as camswap writes it to a log or an error: every `scheme://user:pass@` loses its
/// userinfo and every credential parameter its value, wherever they sit (an XML body, a
/// device's fault reason, a log line).
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        // The URI starts at the scheme before `://`, ends at whitespace, quotes or markup.
        // (The byte after the last non-scheme character: that character may be several
        // bytes long.)
        let start = rest[..i]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |(j, c)| j + c.len_utf8());
        let len = rest[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(rest.len() - i);
        out.push_str(&rest[..start]);
        let uri = &rest[start..i + len];
        let scheme_end = i - start;
        let after = &uri[scheme_end + 3..];
        let end = authority_end(&uri[..scheme_end], after);
        match after[..end].rfind('@') {
            Some(at) => {
                out.push_str(&uri[..scheme_end + 3]);
                out.push_str(&after[at + 1..]);
            }
            None => out.push_str(uri),
        }
        rest = &rest[i + len..];
    }
    out.push_str(rest);
    redact_parameters(&out)
}

/// Names of URI parameters whose values are credentials, as cameras and NVRs put them in
/// stream and snapshot URIs (`?user=admin&password=...` Dahua and XMEye, `pwd=` Foscam,
/// `auth=<base64 of user:password>`, `token=`, `loginuse=`/`loginpas=` on old CGIs).
const SECRET_PARAMETERS: &str = "password|passwd|pass|pwd|pw|psw|passphrase|loginpas|loginuse|auth|authorization|authinfo|token|access_token|accesstoken|session|sessionid|apikey|api_key|secret|signature|sig|user|username|usr|login";

fn redact_parameters(text: &str) -> String {
    static PARAM: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = PARAM.get_or_init(|| {
        // A parameter starts after `?`, `&` (or its XML escape `&amp;`), `;`, `/` or `_`
        // (XMEye paths: `/user=admin_password=...`), and its value runs to the next
        // separator. Over-redacting a value is harmless; leaking one is not.
        regex::Regex::new(&format!(
            r#"(?i)(^|[?&;/_\s])({SECRET_PARAMETERS})=([^&;#?\s"'<>]+)"#
        ))
        .expect("the parameter pattern compiles")
    });
    re.replace_all(text, "$1$2=***").into_owned()
}

/// Where the authority of `rest` (what follows `scheme://`) ends. For the URL standard's
/// "special" schemes a backslash is a path separator.
fn authority_end(scheme: &str, rest: &str) -> usize {
    let special = ["http", "https", "ws", "wss", "ftp", "file"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    rest.find(|c| matches!(c, '/' | '?' | '#') || (special && c == '\\'))
        .unwrap_or(rest.len())
}

/// `url` moved onto `origin`: the origin's scheme, host and port with the URL's path and
/// query, and whether that changed anything. For service addresses a device reports: requests
/// with credentials go only to the origin the device was reached at, whatever host, port or
/// scheme the device names (a NAT'd camera reports its inside address; a hostile one reports
/// a host that collects credentials).
pub fn onto_origin(url: &str, origin: &Origin) -> Result<(String, bool), AddressError> {
    let parsed = http_url(url)?;
    if Origin::of_url(&parsed)? == *origin {
        return Ok((url.to_owned(), false));
    }
    let mut out = format!("{origin}{}", parsed.path());
    if let Some(q) = parsed.query() {
        out.push('?');
        out.push_str(q);
    }
    Ok((out, true))
}

/// Replaces the host of a device-reported URL by the host we reached, when they differ, and
/// says whether it did. Cameras report addresses they cannot be reached at: behind NAT, a
/// link-local or factory default (Hikvision's 192.168.1.64) they never updated. For media URIs
/// (stream and snapshot), which are stored, not sent credentials; service addresses go through
/// [`onto_origin`].
///
/// `reached` is the address we connected to: `host`, `host:port`, `[v6]:port`, or a URL.
/// For HTTP(S) URLs (snapshot URIs, served by the web server we reached) the port we reached
/// replaces the URL's too, which is what a NAT port forward needs; when `reached` names no
/// port, the URL keeps its own. Other schemes (RTSP) keep their port: their server is not the
/// one we reached. A URL whose host already matches is left alone even if its port differs
/// (Reolink serves ONVIF on 8000 and snapshots on 80). Hosts are compared as the URL parser
/// reads them. Anything that is not an absolute URL is returned unchanged.
pub fn rewrite_host(url: &str, reached: &str) -> (String, bool) {
    let unchanged = || (url.to_owned(), false);
    let Some((reached_host, reached_port)) = reached_host_port(reached) else {
        return unchanged();
    };
    if !url.contains("://") {
        return unchanged();
    }
    let Ok(mut parsed) = Url::parse(url) else {
        return unchanged();
    };
    let Some(host) = host_key(&parsed) else {
        return unchanged();
    };
    if host == host_key_of(&reached_host) {
        return unchanged();
    }
    let web = matches!(parsed.scheme(), "http" | "https");
    let port = if web {
        reached_port.or(parsed.port())
    } else {
        parsed.port()
    };
    if parsed.set_host(Some(&reached_host)).is_err() || parsed.set_port(port).is_err() {
        return unchanged();
    }
    (parsed.into(), true)
}

/// Host text (IPv6 bracketed) and explicit port of the address we reached.
fn reached_host_port(reached: &str) -> Option<(String, Option<u16>)> {
    let reached = reached.trim();
    if reached.is_empty() {
        return None;
    }
    if let Ok(ip) = reached.parse::<IpAddr>() {
        let host = match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        };
        return Some((host, None));
    }
    let url = if reached.contains("://") {
        Url::parse(reached).ok()?
    } else {
        Url::parse(&format!("http://{reached}/")).ok()?
    };
    let host = url.host_str().filter(|h| !h.is_empty())?.to_owned();
    Some((host, url.port()))
}

/// A URL's host for comparison: IP addresses in canonical form, names lower-case. Non-http
/// schemes (RTSP) leave IPv4 hosts as opaque text, so both sides go through one form.
fn host_key(url: &Url) -> Option<String> {
    url.host_str().filter(|h| !h.is_empty()).map(host_key_of)
}

fn host_key_of(host: &str) -> String {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => bare.to_ascii_lowercase(),
    }
}

impl super::DeviceSnapshot {
    /// Redacts every URI the snapshot holds ([`redact_uri`]) and every error reason
    /// ([`redact_text`]): what a device reports goes to inventory.json, and devices report
    /// stream URIs with `user:pass@` and `?password=` in them. The reader calls it before
    /// sealing, so the stored hash covers what is stored.
    pub fn redact_secrets(&mut self) {
        self.xaddr = redact_uri(&self.xaddr);
        for s in &mut self.services {
            s.xaddr = redact_uri(&s.xaddr);
        }
        for p in &mut self.profiles {
            for uri in [&mut p.stream_uri, &mut p.snapshot_uri]
                .into_iter()
                .flatten()
            {
                *uri = redact_uri(uri);
            }
        }
        for e in &mut self.errors {
            e.reason = redact_text(&e.reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_uri_removes_credentials_from_urls() {
        assert_eq!(
            redact_uri("http://admin:pw@10.0.0.5/onvif/device_service"),
            "http://10.0.0.5/onvif/device_service"
        );
        assert_eq!(
            redact_uri("rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101?x=a@b"),
            "rtsp://10.0.0.5:554/Streaming/Channels/101?x=a@b"
        );
        assert_eq!(redact_uri("http://10.0.0.5/a@b"), "http://10.0.0.5/a@b");
        assert_eq!(redact_uri("cam-17"), "cam-17");
        assert_eq!(redact_uri("not a uri"), "not a uri");
    }

    /// Issue 10 item 5: credentials in query strings and paths, as cameras put them there.
    #[test]
    fn secrets_in_uris_are_redacted_in_query_path_and_text() {
        let cases = [
            (
                "rtsp://admin:pw1@10.0.0.5:554/cam/realmonitor?channel=1&subtype=0&user=admin&password=pw1",
                "rtsp://10.0.0.5:554/cam/realmonitor?channel=1&subtype=0&user=***&password=***",
            ),
            (
                "http://10.0.0.5/snapshot.cgi?PWD=pw1&Auth=YWRtaW46cHcx&token=abc.def",
                "http://10.0.0.5/snapshot.cgi?PWD=***&Auth=***&token=***",
            ),
            (
                "rtsp://10.0.0.5:554/user=admin_password=pw1_channel=1_stream=0.sdp",
                "rtsp://10.0.0.5:554/user=***",
            ),
            (
                "http://10.0.0.5/videostream.cgi?loginuse=admin&loginpas=pw1&passwd=pw1",
                "http://10.0.0.5/videostream.cgi?loginuse=***&loginpas=***&passwd=***",
            ),
            // Shapes the audit reads are kept.
            (
                "rtsp://10.0.0.5:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1",
                "rtsp://10.0.0.5:554/Streaming/Channels/101?transportmode=unicast&profile=Profile_1",
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(redact_uri(raw), want, "{raw}");
        }
        let body = "<tt:Uri>rtsp://admin:pw1@10.0.0.5/live?user=admin&amp;password=pw1&amp;channel=1</tt:Uri> see http://u:pw1@h/x";
        let r = redact_text(body);
        assert!(!r.contains("pw1"), "{r}");
        assert_eq!(
            r,
            "<tt:Uri>rtsp://10.0.0.5/live?user=***&amp;password=***&amp;channel=1</tt:Uri> see http://h/x"
        );
        assert_eq!(redact_text("no uri here"), "no uri here");
        assert_eq!(redact_text("a://"), "a://");
    }

    /// The host a splitter finds after `@` is not where the HTTP client connects: what is shown
    /// must be what is connected to.
    #[test]
    fn a_backslash_ends_the_authority_of_http_urls_as_the_client_reads_it() {
        let hostile = r"http://127.0.0.99:18099\@127.0.0.51:18081/onvif/Media";
        assert_eq!(redact_uri(hostile), hostile);
        let url = Url::parse(hostile).unwrap();
        assert_eq!(url.host_str(), Some("127.0.0.99"));
        assert_eq!(
            Origin::of(hostile).unwrap().to_string(),
            "http://127.0.0.99:18099"
        );
    }

    #[test]
    fn origins_compare_scheme_host_and_port_with_defaults() {
        let o = |s| Origin::of(s).unwrap();
        assert_eq!(o("http://10.0.0.5/x"), o("HTTP://10.0.0.5:80/y?z"));
        assert_ne!(o("http://10.0.0.5/x"), o("https://10.0.0.5/x"));
        assert_ne!(o("http://10.0.0.5/x"), o("http://10.0.0.5:8080/x"));
        assert_eq!(o("http://Cam.Local/x"), o("http://cam.local/"));
        assert_eq!(
            o("http://[fe80::1]:81/x").to_string(),
            "http://[fe80::1]:81"
        );
    }

    #[test]
    fn empty_and_hostless_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "http:///onvif/device_service",
            r"http://\onvif",
            "http://?x",
        ] {
            assert!(
                matches!(
                    http_url(bad),
                    Err(AddressError::NotUrl { .. } | AddressError::NoHost { .. })
                ),
                "{bad:?}: {:?}",
                http_url(bad)
            );
        }
        assert!(matches!(
            http_url("rtsp://10.0.0.5/x"),
            Err(AddressError::Scheme { .. })
        ));
        assert!(matches!(
            http_url("http:onvif/x"),
            Err(AddressError::NotUrl { .. })
        ));
        assert_eq!(
            http_url("http://10.0.0.5:8080/onvif/device_service")
                .unwrap()
                .host_str(),
            Some("10.0.0.5")
        );
    }

    #[test]
    fn service_addresses_move_onto_the_origin_we_reached() {
        let reached = Origin::of("http://127.0.0.51:18081/onvif/device_service").unwrap();
        // The hostile address: the client would connect to 127.0.0.99.
        let (url, changed) = onto_origin(
            r"http://127.0.0.99:18099\@127.0.0.51:18081/onvif/Media",
            &reached,
        )
        .unwrap();
        assert!(changed);
        assert_eq!(Origin::of(&url).unwrap(), reached);
        assert_eq!(url, "http://127.0.0.51:18081/@127.0.0.51:18081/onvif/Media");
        // Same origin: left exactly as the device wrote it.
        let (url, changed) =
            onto_origin("http://127.0.0.51:18081/onvif/Media?a=b", &reached).unwrap();
        assert_eq!(
            (url.as_str(), changed),
            ("http://127.0.0.51:18081/onvif/Media?a=b", false)
        );
        // Another port on the same host, or plain HTTP when we reached HTTPS: moved.
        let (url, changed) = onto_origin("http://127.0.0.51/onvif/PTZ", &reached).unwrap();
        assert_eq!(
            (url.as_str(), changed),
            ("http://127.0.0.51:18081/onvif/PTZ", true)
        );
        let tls = Origin::of("https://10.0.0.5/onvif/device_service").unwrap();
        let (url, _) = onto_origin("http://10.0.0.5/onvif/Media", &tls).unwrap();
        assert_eq!(url, "https://10.0.0.5:443/onvif/Media");
        assert!(onto_origin("http:///onvif/Media", &reached).is_err());
    }

    /// Found by the proptest below (shrunk input `http://<𐳺://`): a second URI in a text whose
    /// scheme follows a multi-byte character was cut inside that character, and redacting a
    /// device string that merely held such text panicked.
    #[test]
    fn redact_text_a_scheme_after_a_multibyte_character_is_cut_on_a_char_boundary() {
        assert_eq!(redact_text("x http://<𐳺://y y"), "x http://<𐳺://y y");
        assert_eq!(
            redact_text("é𐳺https://admin:secret@10.0.0.5/a"),
            "é𐳺https://10.0.0.5/a"
        );
    }

    #[test]
    fn rewrite_host_replaces_a_lying_host_and_keeps_the_rest() {
        let cases = [
            // Factory default address behind NAT: host and port of the web server we reached.
            (
                "http://192.168.1.64/onvif/Media",
                "10.0.0.5:8080",
                "http://10.0.0.5:8080/onvif/Media",
                true,
            ),
            // The URL's own port stays when the reached address names none (80 is http's
            // default, so the URL form drops it).
            (
                "http://192.168.1.64:8000/onvif/Media",
                "10.0.0.5",
                "http://10.0.0.5:8000/onvif/Media",
                true,
            ),
            // Same host: left alone even with another port (Reolink snapshots on :80, ONVIF on :8000).
            (
                "http://192.168.2.61:80/cgi-bin/api.cgi?cmd=onvifSnapPic&channel=0",
                "192.168.2.61:8000",
                "http://192.168.2.61:80/cgi-bin/api.cgi?cmd=onvifSnapPic&channel=0",
                false,
            ),
            (
                "HTTP://Cam.Local/x",
                "cam.local",
                "HTTP://Cam.Local/x",
                false,
            ),
            // RTSP keeps its own port.
            (
                "rtsp://admin:pw@169.254.1.2:554/Streaming/Channels/101?transportmode=unicast",
                "10.0.0.5:80",
                "rtsp://admin:pw@10.0.0.5:554/Streaming/Channels/101?transportmode=unicast",
                true,
            ),
            (
                "rtsp://169.254.1.2/live",
                "http://10.0.0.5:8000/onvif/device_service",
                "rtsp://10.0.0.5/live",
                true,
            ),
            // IPv6 both ways.
            (
                "http://[fe80::1]:8080/onvif/device_service",
                "10.0.0.5",
                "http://10.0.0.5:8080/onvif/device_service",
                true,
            ),
            (
                "http://192.168.1.64/onvif",
                "[2001:db8::5]:8000",
                "http://[2001:db8::5]:8000/onvif",
                true,
            ),
            (
                "http://192.168.1.64/onvif",
                "2001:db8::5",
                "http://[2001:db8::5]/onvif",
                true,
            ),
            // The host the client would connect to is the one compared.
            (
                r"http://127.0.0.99:18099\@127.0.0.51:18081/snap.jpg",
                "127.0.0.51:18081",
                "http://127.0.0.51:18081/@127.0.0.51:18081/snap.jpg",
                true,
            ),
            // Not a URL: nothing to do.
            (
                "/onvif/device_service",
                "10.0.0.5",
                "/onvif/device_service",
                false,
            ),
        ];
        for (url, reached, want, changed) in cases {
            assert_eq!(
                rewrite_host(url, reached),
                (want.to_owned(), changed),
                "{url} via {reached}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn rewrite_host_never_panics_and_only_reports_real_changes(
            url in "(https?|rtsp)://\\PC{0,30}|\\PC{0,30}",
            reached in "\\PC{0,30}",
        ) {
            let (out, changed) = rewrite_host(&url, &reached);
            if !changed {
                proptest::prop_assert_eq!(out, url);
            }
        }

        #[test]
        fn a_stripped_url_never_shows_userinfo_the_client_would_see(s in "https?://\\PC{0,40}") {
            let stripped = redact_uri(&s);
            if let Ok(u) = Url::parse(&stripped) {
                proptest::prop_assert!(u.password().is_none(), "{} -> {}", s, stripped);
            }
            let text = redact_text(&format!("x {s} y"));
            proptest::prop_assert!(text.starts_with("x ") && text.ends_with(" y"), "{}", text);
        }
    }
}
