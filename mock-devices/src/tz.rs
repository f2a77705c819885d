//! POSIX `TZ` strings, as ONVIF devices carry them in `tt:TimeZone/tt:TZ`, turned into local
//! time for `LocalDateTime`.
//!
//! Supports `std offset [dst [offset] [,Mm.w.d[/time],Mm.w.d[/time]]]` with names written as
//! letters or `<...>`. Day-of-year rules (`Jn`, `n`) are accepted but treated as "no daylight
//! saving", which only makes `LocalDateTime` an hour off during summer on such zones; clients
//! are expected to use `UTCDateTime` anyway.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};

/// A parsed POSIX time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosixTz {
    /// Seconds to add to UTC for standard time (POSIX writes the opposite sign).
    std_east: i64,
    dst: Option<Dst>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Dst {
    east: i64,
    rule: Option<(Rule, Rule)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rule {
    month: u32,
    week: u32,
    weekday: u32,
    /// Local wall-clock seconds after midnight.
    time: i64,
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn name(&mut self) -> Option<()> {
        if self.eat(b'<') {
            let start = self.i;
            while self.peek()? != b'>' {
                self.i += 1;
            }
            let len = self.i - start;
            self.i += 1;
            (len >= 1).then_some(())
        } else {
            let start = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                self.i += 1;
            }
            (self.i - start >= 3).then_some(())
        }
    }

    fn number(&mut self, max_digits: usize) -> Option<i64> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) && self.i - start < max_digits {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }

    /// `[+|-]hh[:mm[:ss]]` in seconds, sign as written.
    fn hms(&mut self, max_hours: i64) -> Option<i64> {
        let sign = if self.eat(b'-') {
            -1
        } else {
            self.eat(b'+');
            1
        };
        let h = self.number(3)?;
        if h > max_hours {
            return None;
        }
        let mut secs = h * 3600;
        if self.eat(b':') {
            let m = self.number(2)?;
            if m > 59 {
                return None;
            }
            secs += m * 60;
            if self.eat(b':') {
                let s = self.number(2)?;
                if s > 59 {
                    return None;
                }
                secs += s;
            }
        }
        Some(sign * secs)
    }

    /// One transition rule; `None` inside means a day-of-year rule we do not apply.
    fn rule(&mut self) -> Option<Option<Rule>> {
        let rule = if self.eat(b'M') {
            let month = self.number(2)?;
            if !self.eat(b'.') {
                return None;
            }
            let week = self.number(1)?;
            if !self.eat(b'.') {
                return None;
            }
            let weekday = self.number(1)?;
            if !(1..=12).contains(&month) || !(1..=5).contains(&week) || weekday > 6 {
                return None;
            }
            Some(Rule {
                month: month as u32,
                week: week as u32,
                weekday: weekday as u32,
                time: 7200,
            })
        } else {
            self.eat(b'J');
            let day = self.number(3)?;
            if day > 365 {
                return None;
            }
            None
        };
        let time = if self.eat(b'/') {
            Some(self.hms(167)?)
        } else {
            None
        };
        Some(rule.map(|r| Rule {
            time: time.unwrap_or(r.time),
            ..r
        }))
    }
}

impl PosixTz {
    /// Parse a POSIX TZ string; `None` when it is not one.
    pub fn parse(s: &str) -> Option<Self> {
        let mut c = Cursor {
            s: s.trim().as_bytes(),
            i: 0,
        };
        c.name()?;
        let std_east = -c.hms(24)?;
        let mut tz = Self {
            std_east,
            dst: None,
        };
        if c.peek().is_none() {
            return Some(tz);
        }
        c.name()?;
        let dst_east = match c.peek() {
            Some(b',') | None => std_east + 3600,
            _ => -c.hms(24)?,
        };
        let mut rule = None;
        if c.eat(b',') {
            let start = c.rule()?;
            if !c.eat(b',') {
                return None;
            }
            let end = c.rule()?;
            rule = start.zip(end);
        }
        if c.peek().is_some() {
            return None;
        }
        tz.dst = Some(Dst {
            east: dst_east,
            rule,
        });
        Some(tz)
    }

    /// Local wall-clock time at the UTC instant `utc`.
    pub fn local(&self, utc: DateTime<Utc>) -> NaiveDateTime {
        let naive = utc.naive_utc();
        let east = match &self.dst {
            Some(Dst {
                east,
                rule: Some((start, end)),
            }) => {
                let year = (naive + Duration::seconds(self.std_east)).year();
                let begins = transition(year, *start) - Duration::seconds(self.std_east);
                let ends = transition(year, *end) - Duration::seconds(*east);
                let in_dst = if begins < ends {
                    naive >= begins && naive < ends
                } else {
                    naive >= begins || naive < ends
                };
                if in_dst { *east } else { self.std_east }
            }
            _ => self.std_east,
        };
        naive + Duration::seconds(east)
    }
}

/// Local time of a `Mm.w.d/time` transition in `year` (POSIX weekdays count from Sunday = 0).
fn transition(year: i32, rule: Rule) -> NaiveDateTime {
    let first = NaiveDate::from_ymd_opt(year, rule.month, 1).unwrap_or(NaiveDate::MIN);
    let first_wd = first.weekday().num_days_from_sunday();
    let mut day = 1 + (rule.weekday + 7 - first_wd) % 7 + (rule.week - 1) * 7;
    let month_len = days_in_month(year, rule.month);
    while day > month_len {
        day -= 7;
    }
    let date = NaiveDate::from_ymd_opt(year, rule.month, day).unwrap_or(first);
    date.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::seconds(rule.time)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn hikvision_china_zone_is_eight_hours_east() {
        let tz = PosixTz::parse("CST-8:00:00").unwrap();
        assert_eq!(
            tz.local(at(2024, 1, 1, 20, 0)).to_string(),
            "2024-01-02 04:00:00"
        );
    }

    #[test]
    fn capture_zones_parse() {
        // From shared/captures/*/GetSystemDateAndTime-*.xml (see QUIRKS.md).
        for s in [
            "BRT3",
            "UTC5:0",
            "CST-8",
            "CST+8:00:00",
            "GMT0",
            "<+0330>-3:30",
        ] {
            assert!(PosixTz::parse(s).is_some(), "{s}");
        }
        for s in ["", "X", "CST", "CST-8:00:00x", "CST-8,M3.2.0", "CST99"] {
            assert!(PosixTz::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn uk_zone_follows_summer_time_rules() {
        let tz = PosixTz::parse("GMT0BST,M3.5.0/1,M10.5.0").unwrap();
        // 2024: BST from 31 March 01:00 UTC to 27 October 01:00 UTC.
        assert_eq!(
            tz.local(at(2024, 3, 31, 0, 59)).to_string(),
            "2024-03-31 00:59:00"
        );
        assert_eq!(
            tz.local(at(2024, 3, 31, 1, 0)).to_string(),
            "2024-03-31 02:00:00"
        );
        assert_eq!(
            tz.local(at(2024, 10, 27, 0, 59)).to_string(),
            "2024-10-27 01:59:00"
        );
        assert_eq!(
            tz.local(at(2024, 10, 27, 1, 0)).to_string(),
            "2024-10-27 01:00:00"
        );
    }

    #[test]
    fn southern_hemisphere_rules_wrap_the_year() {
        let tz = PosixTz::parse("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(
            tz.local(at(2024, 1, 15, 0, 0)).to_string(),
            "2024-01-15 11:00:00"
        );
        assert_eq!(
            tz.local(at(2024, 7, 15, 0, 0)).to_string(),
            "2024-07-15 10:00:00"
        );
    }
}
