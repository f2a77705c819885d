//! The device clock: GetSystemDateAndTime (read first, since WS-Security `Created` must fall
//! within the device's own time window) and SetSystemDateAndTime.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::SERVICE;
use crate::onvif::ParseError;
use crate::onvif::operation::{Cursor, operations, push_text, wire_enum};

wire_enum! {
    /// How the device sets its clock (`tt:SetDateTimeType`).
    DateTimeType {
        /// Set by hand (SetSystemDateAndTime with a UTCDateTime).
        Manual = "Manual",
        /// From NTP.
        Ntp = "NTP",
    }
}

/// The device's clock and time settings (GetSystemDateAndTime).
///
/// The settings fields are optional here although the schema requires them: this response is
/// read before authenticating (to learn the clock offset the WS-Security `Created` needs), and a
/// device that leaves out `DaylightSavings` must not cost us the clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemDateTime {
    /// `UTCDateTime`: the clock, when the device reports it (it shall).
    pub utc: Option<DateTime<Utc>>,
    /// `LocalDateTime`, in the device's own zone.
    pub local: Option<NaiveDateTime>,
    /// `TimeZone/TZ` exactly as sent. Free-form POSIX-ish text (`CST7:00:00DST01:00:00,...`,
    /// `GMT+08:00`, `UTC5:0`), so it is kept, never interpreted.
    pub tz: Option<String>,
    /// Manual or NTP.
    pub date_time_type: Option<DateTimeType>,
    /// Daylight saving in effect.
    pub daylight_savings: Option<bool>,
}

/// Where [`SystemDateTime::device_time`] took the device's clock from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// `UTCDateTime`.
    Utc,
    /// `LocalDateTime` read as if it were UTC, because `UTCDateTime` was missing: wrong by the
    /// device's zone offset, which we cannot compute from a free-form TZ string.
    LocalAsUtc,
}

impl SystemDateTime {
    /// The device's clock as UTC: `UTCDateTime`, or `LocalDateTime` only when UTC is missing.
    pub fn device_time(&self) -> Option<(DateTime<Utc>, ClockSource)> {
        match (self.utc, self.local) {
            (Some(utc), _) => Some((utc, ClockSource::Utc)),
            (None, Some(local)) => Some((local.and_utc(), ClockSource::LocalAsUtc)),
            (None, None) => None,
        }
    }
}

/// Device clock minus our clock (positive when the device runs ahead). Uses `UTCDateTime`; falls
/// back to `LocalDateTime` only when UTC is missing, and logs a warning when it does, since the
/// result is then off by the device's zone offset. `None` when the device sent neither.
pub fn clock_offset(device: &SystemDateTime, our_now: DateTime<Utc>) -> Option<chrono::Duration> {
    let (device_now, source) = device.device_time()?;
    if source == ClockSource::LocalAsUtc {
        tracing::warn!(
            tz = device.tz.as_deref().unwrap_or(""),
            "GetSystemDateAndTime has no UTCDateTime; using LocalDateTime as if it were UTC, \
             so the clock offset is off by the device's zone offset"
        );
    }
    Some(device_now - our_now)
}

operations! { SERVICE;
    /// GetSystemDateAndTime (PRE_AUTH: may be sent without credentials).
    GetSystemDateAndTime -> SystemDateTime => |r| {
        let s = r.child("SystemDateAndTime")?;
        Ok(SystemDateTime {
            date_time_type: s.opt_parse("DateTimeType", DateTimeType::parse)?,
            daylight_savings: s.opt_bool("DaylightSavings")?,
            tz: s
                .opt_child("TimeZone")
                .and_then(|z| z.opt_str("TZ"))
                .map(str::to_owned),
            utc: s.opt_with("UTCDateTime", date_time)?
                .map(|t| t.and_utc()),
            local: s.opt_with("LocalDateTime", date_time)?,
        })
    };
    /// SetSystemDateAndTime. `utc` is required for [`DateTimeType::Manual`] (the device has
    /// nothing else to set its clock from) and left out for NTP, where the schema says it has
    /// no meaning. An empty `tz` leaves the zone unchanged.
    SetSystemDateAndTime [Debug, Clone, PartialEq, Eq] {
        date_time_type: DateTimeType = "tds:DateTimeType",
        daylight_savings: bool = "tds:DaylightSavings",
        /// POSIX time zone, if it changes.
        tz: Option<String>,
        /// The time to set (Manual only).
        utc: Option<DateTime<Utc>>
    } write |op, out| {
        if let Some(tz) = op.tz.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            out.push_str("<tds:TimeZone>");
            push_text(out, "tt:TZ", tz);
            out.push_str("</tds:TimeZone>");
        }
        match (op.date_time_type, op.utc) {
            (DateTimeType::Manual, None) => return Err(Self::missing("UTCDateTime")),
            (DateTimeType::Manual, Some(t)) => {
                use chrono::{Datelike, Timelike};
                // tt:DateTime is a sequence: Time before Date.
                let _ = write!(
                    out,
                    "<tds:UTCDateTime><tt:Time><tt:Hour>{}</tt:Hour><tt:Minute>{}</tt:Minute>\
                     <tt:Second>{}</tt:Second></tt:Time><tt:Date><tt:Year>{}</tt:Year>\
                     <tt:Month>{}</tt:Month><tt:Day>{}</tt:Day></tt:Date></tds:UTCDateTime>",
                    t.hour(),
                    t.minute(),
                    t.second(),
                    t.year(),
                    t.month(),
                    t.day()
                );
            }
            (DateTimeType::Ntp, _) => {}
        }
        Ok(())
    } -> () => |_r| Ok(());
}

/// A `tt:DateTime`: Time and Date, every part required.
fn date_time(e: Cursor<'_>) -> Result<NaiveDateTime, ParseError> {
    let (time, date) = (e.child("Time")?, e.child("Date")?);
    let (hour, minute, second) = (time.u32("Hour")?, time.u32("Minute")?, time.u32("Second")?);
    let year = date.parse("Year", |y| y.parse::<i32>().ok())?;
    let (month, day) = (date.u32("Month")?, date.u32("Day")?);
    let d = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| date.invalid("", &format!("{year}-{month}-{day}")))?;
    let t = NaiveTime::from_hms_opt(hour, minute, second)
        .ok_or_else(|| time.invalid("", &format!("{hour}:{minute}:{second}")))?;
    Ok(d.and_time(t))
}
