//! Resolutions (`WxH`) and the standard ladder a model is assumed to offer.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A resolution in pixels, written `WxH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Resolution {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Resolution {
    /// `width` x `height`.
    pub const fn new(width: u32, height: u32) -> Self {
        Self { width, height }
    }

    /// Pixel count.
    pub fn pixels(self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// The picture's width over height. Square pixels for everything but the standard-definition
    /// frame sizes of ITU-R BT.601 (D1 704x576 and 704x480, their 720-wide forms, CIF 352x288
    /// and 352x240, QCIF): those sample a 4:3 picture with non-square pixels, so 704x576 is a
    /// 4:3 picture, not 11:9.
    pub fn aspect(self) -> f64 {
        match (self.width, self.height) {
            (704 | 720, 576 | 480) | (352, 288 | 240) | (176, 144 | 120) => 4.0 / 3.0,
            (w, h) => f64::from(w) / f64::from(h.max(1)),
        }
    }

    /// True when both have the same aspect ratio within 2 % (2688x1520 and 1920x1080 do).
    pub fn same_aspect(self, other: Self) -> bool {
        (self.aspect() / other.aspect() - 1.0).abs() <= 0.02
    }

    /// Parses `WxH` (also `W×H`, `W*H`).
    pub fn parse(s: &str) -> Option<Self> {
        let (w, h) = s.trim().split_once(['x', 'X', '×', '*'])?;
        let (width, height) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
        (width > 0 && height > 0).then_some(Self { width, height })
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

impl Serialize for Resolution {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for Resolution {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Resolution".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Width x height in pixels, e.g. \"1920x1080\".",
            "type": "string",
            "pattern": "^[0-9]+x[0-9]+$"
        })
    }
}

impl<'de> Deserialize<'de> for Resolution {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a resolution \"WxH\" such as \"1920x1080\", found \"{s}\""
            ))
        })
    }
}

/// Standard resolutions cameras offer, by aspect family, largest first.
const LADDER: &[(u32, u32)] = &[
    (3840, 2160),
    (3200, 1800),
    (2688, 1520),
    (2560, 1440),
    (1920, 1080),
    (1280, 720),
    (960, 540),
    (640, 360),
    (320, 180),
    (2592, 1944),
    (2560, 1920),
    (2048, 1536),
    (1600, 1200),
    (1280, 960),
    (1024, 768),
    (800, 600),
    (640, 480),
    (320, 240),
    (1280, 1024),
    (704, 576),
    (704, 480),
    (352, 288),
    (352, 240),
];

/// The resolutions a model is assumed to offer when the catalogue lists none: its maximum and
/// every standard resolution of the same aspect ratio below it; for an unusual aspect ratio,
/// the maximum scaled by 3/4, 1/2, 1/3 and 1/4 (even sizes).
pub fn default_ladder(max: Resolution) -> Vec<Resolution> {
    let mut out: Vec<Resolution> = LADDER
        .iter()
        .map(|&(w, h)| Resolution::new(w, h))
        .filter(|r| r.width <= max.width && r.height <= max.height && r.same_aspect(max))
        .collect();
    if out.len() <= 1 {
        for (num, den) in [(3, 4), (1, 2), (1, 3), (1, 4)] {
            let w = (max.width * num / den) & !1;
            let h = (max.height * num / den) & !1;
            if w >= 160 && h >= 90 {
                out.push(Resolution::new(w, h));
            }
        }
    }
    out.push(max);
    sorted_desc(out)
}

/// Largest first (pixels, then width), without repeats.
pub(crate) fn sorted_desc(mut v: Vec<Resolution>) -> Vec<Resolution> {
    v.sort_by_key(|r| std::cmp::Reverse((r.pixels(), r.width)));
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ladder_follows_the_aspect_ratio() {
        let l = default_ladder(Resolution::new(3072, 1728));
        assert_eq!(l[0], Resolution::new(3072, 1728));
        assert!(l.contains(&Resolution::new(2560, 1440)));
        assert!(l.contains(&Resolution::new(640, 360)));
        assert!(!l.contains(&Resolution::new(3840, 2160)));
        assert!(!l.contains(&Resolution::new(640, 480)));
        let l = default_ladder(Resolution::new(2560, 1920));
        assert!(
            l.contains(&Resolution::new(2048, 1536)) && !l.contains(&Resolution::new(1920, 1080))
        );
        let odd = default_ladder(Resolution::new(2000, 1000));
        assert_eq!(
            odd,
            vec![
                Resolution::new(2000, 1000),
                Resolution::new(1500, 750),
                Resolution::new(1000, 500),
                Resolution::new(666, 332),
                Resolution::new(500, 250)
            ]
        );
    }

    /// Issue 13 item 3: PAL D1 (704x576) was read as an 11:9 picture, so a 4:3 camera's D1
    /// stream lost its 4:3 shape to the nearest pixel count. 704 active samples × 576 lines
    /// make a 4:3 picture (BT.601: 4:3 display, pixel aspect 12:11 on 625 lines; 704 × 12/11
    /// = 768 square pixels, 768 / 576 = 4/3); 704x480 likewise (pixel aspect 10:11 on 525
    /// lines: 640 / 480 = 4/3).
    #[test]
    fn d1_and_cif_are_4_3_pictures_not_11_9() {
        let r = Resolution::new;
        assert!(r(704, 576).same_aspect(r(640, 480)));
        assert!(r(704, 480).same_aspect(r(1024, 768)));
        assert!(r(352, 288).same_aspect(r(800, 600)));
        assert!(!r(704, 576).same_aspect(r(960, 540)));
        assert_eq!(r(704, 576).pixels(), 405_504);
    }
}
