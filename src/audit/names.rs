//! Company and brand names as devices and the IEEE registry write them, reduced to a form that
//! compares: "Hangzhou Hikvision Digital Technology Co.,Ltd." and "HIKVISION" share the token
//! `hikvision`; "ZTEC Instruments" does not contain the token `zte`.

/// Legal-form words that carry no identity ("Co.,Ltd.", "Inc.", "GmbH").
const NOISE: &[&str] = &[
    "co",
    "ltd",
    "inc",
    "corp",
    "llc",
    "gmbh",
    "ag",
    "ab",
    "bv",
    "plc",
    "pty",
    "pvt",
    "srl",
    "sa",
    "limited",
    "incorporated",
    "company",
];

/// Lower case, every run of punctuation or space becomes one space, legal-form words dropped.
/// `"Zhejiang Dahua Technology Co., Ltd."` → `"zhejiang dahua technology"`.
pub fn normalise(s: &str) -> String {
    let lowered: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    lowered
        .split_whitespace()
        .filter(|t| !NOISE.contains(t))
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `phrase` (normalised) occurs in `haystack` (normalised) on whole-token boundaries.
pub fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    // Normalised text separates tokens with single spaces, so a whole-token match is an
    // occurrence bounded by the ends or by spaces (no allocation: this runs per device).
    haystack.match_indices(phrase).any(|(i, _)| {
        let end = i + phrase.len();
        (i == 0 || haystack.as_bytes()[i - 1] == b' ')
            && (end == haystack.len() || haystack.as_bytes()[end] == b' ')
    })
}

/// Decodes `%XX` escapes (scopes carry `HIKVISION%20DS-2CD...`); bad escapes stay as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let decoded = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = decoded {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_and_punctuation_vanish() {
        assert_eq!(
            normalise("Hangzhou Hikvision Digital Technology Co.,Ltd."),
            "hangzhou hikvision digital technology"
        );
        assert_eq!(
            normalise("Hytera Communications Co .,ltd"),
            "hytera communications"
        );
        assert_eq!(normalise("  HIKVISION "), "hikvision");
    }

    #[test]
    fn phrases_match_whole_tokens_only() {
        assert!(contains_phrase("zte", "zte"));
        assert!(!contains_phrase(
            &normalise("ZTEC Instruments, Inc."),
            "zte"
        ));
        assert!(!contains_phrase(
            &normalise("Shanghai Dahua Scale Factory"),
            "dahua technology"
        ));
        assert!(contains_phrase(
            &normalise("Zhejiang Dahua Technology Co., Ltd."),
            "dahua technology"
        ));
        assert!(!contains_phrase("anything", ""));
    }

    #[test]
    fn percent_escapes_decode_and_bad_ones_survive() {
        assert_eq!(
            percent_decode("name/HIKVISION%20DS-2CD2143G2-I"),
            "name/HIKVISION DS-2CD2143G2-I"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a%zzb%4"), "a%zzb%4");
    }
}
