//! The dry run: the plan as text, per camera old → new, value by value, warnings marked.
//! Readable without colour; with `color`, warnings are yellow and blockers red (the caller
//! decides: a terminal and no `NO_COLOR`).

use std::fmt::Write;

use super::plan::{CameraPlan, EncoderValues, Plan, Step};
use super::ptz::{GENERIC_PAN_TILT_SPACE, GENERIC_ZOOM_SPACE, PtzTarget, SPHERICAL_SPACE};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn warn(&self, s: &str) -> String {
        self.paint("33", s)
    }
    fn bad(&self, s: &str) -> String {
        self.paint("31", s)
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn short_space(uri: &str) -> &str {
    match uri {
        SPHERICAL_SPACE => "degrees",
        GENERIC_PAN_TILT_SPACE | GENERIC_ZOOM_SPACE => "generic",
        other => other.rsplit('/').next().unwrap_or(other),
    }
}

fn target(t: &Option<PtzTarget>) -> String {
    let Some(t) = t else { return "-".into() };
    let mut parts = Vec::new();
    if let Some(pt) = &t.pan_tilt {
        parts.push(format!(
            "pan/tilt {}, {} ({})",
            num(pt.x),
            num(pt.y),
            short_space(&pt.space)
        ));
    }
    if let Some(z) = &t.zoom {
        parts.push(format!("zoom {} ({})", num(z.x), short_space(&z.space)));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// `4 (80%)`, or `80% of range` when only the position is known (apply maps it).
fn quality(e: &EncoderValues) -> String {
    match (e.quality, e.quality_fraction) {
        (Some(q), Some(t)) => format!("{} ({}%)", num(q), num((t * 1000.0).round() / 10.0)),
        (Some(q), None) => num(q),
        (None, Some(t)) => format!("{}% of range", num((t * 1000.0).round() / 10.0)),
        (None, None) => "-".into(),
    }
}

fn encoder_rows(old: &EncoderValues, new: &EncoderValues) -> Vec<(String, String, String)> {
    fn o<T: ToString>(v: &Option<T>) -> String {
        v.as_ref().map_or("-".into(), ToString::to_string)
    }
    let res = |e: &EncoderValues| match (e.width, e.height) {
        (Some(w), Some(h)) => format!("{w}x{h}"),
        _ => "-".into(),
    };
    let f = |v: Option<f64>| v.map_or("-".into(), num);
    vec![
        ("encoding".into(), o(&old.encoding), o(&new.encoding)),
        ("resolution".into(), res(old), res(new)),
        ("frame rate".into(), f(old.frame_rate), f(new.frame_rate)),
        (
            "bitrate kbit/s".into(),
            o(&old.bitrate_kbps),
            o(&new.bitrate_kbps),
        ),
        ("GOV length".into(), o(&old.gov_length), o(&new.gov_length)),
        ("quality".into(), quality(old), quality(new)),
        ("codec profile".into(), o(&old.profile), o(&new.profile)),
        (
            "constant bitrate".into(),
            o(&old.constant_bitrate),
            o(&new.constant_bitrate),
        ),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != "-" || b != "-")
    .collect()
}

fn step_text(step: &Step, st: &Style, out: &mut String, indent: &str) {
    match step {
        Step::CreateUser { username, level } => {
            let _ = writeln!(
                out,
                "create user {username} ({level}); password from the credentials file"
            );
        }
        Step::SetDns {
            from_dhcp,
            search_domains,
            servers,
        } => {
            let _ = writeln!(
                out,
                "DNS: {}servers [{}], search [{}]",
                if *from_dhcp { "from DHCP; " } else { "" },
                servers.join(", "),
                search_domains.join(", ")
            );
        }
        Step::SetNtp { from_dhcp, servers } => {
            let _ = writeln!(
                out,
                "NTP: {}servers [{}]",
                if *from_dhcp { "from DHCP; " } else { "" },
                servers.join(", ")
            );
        }
        Step::SetScopes { scopes } => {
            let _ = writeln!(out, "scopes: {}", scopes.join(" "));
        }
        Step::CreateProfile {
            key,
            name,
            service,
            ptz,
            audio,
        } => {
            let mut extra = Vec::new();
            if *ptz {
                extra.push("with PTZ".to_owned());
            }
            if let Some(a) = audio {
                extra.push(format!(
                    "audio {}{}",
                    a.encoding.as_deref().unwrap_or("?"),
                    a.bitrate_kbps
                        .map_or(String::new(), |b| format!(" {b} kbit/s"))
                ));
            }
            let _ = writeln!(
                out,
                "create profile {key} \"{name}\" via {}{}",
                service.name(),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", extra.join(", "))
                }
            );
        }
        Step::SetVideoEncoder {
            profile,
            service,
            old,
            new,
            notes,
        } => {
            let _ = writeln!(out, "video encoder of {profile} via {}", service.name());
            let rows = encoder_rows(old, new);
            let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
            let w1 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
            for (k, a, b) in rows {
                let mark = if a == b { " " } else { "*" };
                let _ = writeln!(out, "{indent}   {mark} {k:<w0$}  {a:<w1$} → {b}");
            }
            for n in notes {
                let _ = writeln!(out, "{indent}     note: {n}");
            }
        }
        Step::SetPreset {
            token,
            name,
            old,
            direction,
            target: t,
            re_aim,
            approximate,
            notes,
            ..
        } => {
            let flag = if *re_aim {
                format!(" {}", st.bad("[RE-AIM]"))
            } else if *approximate {
                format!(" {}", st.warn("[APPROX]"))
            } else {
                String::new()
            };
            let _ = writeln!(out, "preset {token} \"{name}\"{flag}");
            let _ = writeln!(out, "{indent}     old    {}", target(old));
            if let Some(d) = direction {
                let f = |v: Option<f64>, unit: &str| {
                    v.map_or("?".into(), |v| format!("{}{unit}", num(v)))
                };
                let _ = writeln!(
                    out,
                    "{indent}     aims   azimuth {}, elevation {}, field of view {}",
                    f(d.pan, "°"),
                    f(d.elevation, "°"),
                    f(d.hfov, "°")
                );
            }
            let _ = writeln!(out, "{indent}     new    {}", target(t));
            for n in notes {
                let _ = writeln!(out, "{indent}     note: {n}");
            }
        }
        Step::SetHomePosition {
            from_preset,
            target: t,
            re_aim,
            notes,
            ..
        } => {
            let flag = if *re_aim {
                format!(" {}", st.bad("[RE-AIM]"))
            } else {
                String::new()
            };
            let from = from_preset
                .as_ref()
                .map_or(String::new(), |p| format!(" = preset {p}"));
            let _ = writeln!(out, "home position{from}: {}{flag}", target(t));
            for n in notes {
                let _ = writeln!(out, "{indent}     note: {n}");
            }
        }
        Step::CreateRecording {
            key,
            setup,
            max_retention,
            tracks,
            notes,
            ..
        } => {
            let kinds: Vec<&str> = tracks.iter().map(|t| t.kind.as_str()).collect();
            let how = match setup {
                super::plan::RecordingSetup::Create => "create",
                super::plan::RecordingSetup::AdoptFixed => "adopt the fixed recording",
                super::plan::RecordingSetup::CreateOrAdopt => "create, or adopt a fixed one",
            };
            let _ = writeln!(
                out,
                "recording {key} ({how}): retention {max_retention}, tracks [{}]",
                kinds.join(", ")
            );
            for n in notes {
                let _ = writeln!(out, "{indent}     note: {n}");
            }
        }
        Step::CreateRecordingJob {
            key,
            recording,
            mode,
            priority,
            schedule_token,
            sources,
            notes,
        } => {
            let profiles: Vec<&str> = sources
                .iter()
                .filter_map(|s| s.profile.as_deref())
                .collect();
            let _ = writeln!(
                out,
                "recording job {key} → {recording}: {mode}, priority {priority}, source profile [{}]{}",
                profiles.join(", "),
                schedule_token
                    .as_ref()
                    .map_or(String::new(), |s| format!(", schedule {s}"))
            );
            for n in notes {
                let _ = writeln!(out, "{indent}     note: {n}");
            }
        }
        Step::SetDateTime {
            date_time_type,
            tz,
            daylight_savings,
        } => {
            let _ = writeln!(
                out,
                "clock: {}, time zone {}, daylight saving {}",
                date_time_type
                    .as_deref()
                    .map_or("mode unchanged".to_owned(), str::to_owned),
                tz.as_deref().unwrap_or("-"),
                if *daylight_savings { "on" } else { "off" }
            );
        }
        Step::SetNetwork {
            dhcp,
            address,
            prefix_length,
            gateway,
            hostname,
            hostname_from_dhcp,
            notes,
        } => {
            let addr = if *dhcp {
                "DHCP".to_owned()
            } else {
                format!(
                    "{}/{}",
                    address.as_deref().unwrap_or("?"),
                    prefix_length.map_or("?".into(), |p| p.to_string())
                )
            };
            let host = match (hostname, hostname_from_dhcp) {
                (_, true) => "hostname from DHCP".to_owned(),
                (Some(h), false) => format!("hostname {h}"),
                (None, false) => "hostname unchanged".to_owned(),
            };
            let _ = writeln!(
                out,
                "network (last): IPv4 {addr}, gateway {}, {host}",
                gateway.as_deref().unwrap_or("-")
            );
            for n in notes {
                let _ = writeln!(out, "{indent}     note: {n}");
            }
        }
    }
}

fn camera(c: &CameraPlan, st: &Style, out: &mut String) {
    let o = &c.old;
    let _ = writeln!(
        out,
        "{}",
        st.bold(&format!(
            "== {}  {}  {} {}",
            o.id,
            o.address.as_deref().unwrap_or(&o.xaddr),
            o.manufacturer.as_deref().unwrap_or("?"),
            o.model.as_deref().unwrap_or("?")
        ))
    );
    let _ = writeln!(
        out,
        "   flagged {}{}, confidence {}",
        c.verdict,
        c.company
            .as_ref()
            .map_or(String::new(), |x| format!(" ({x})")),
        num(c.confidence)
    );
    if let Some(r) = &c.replacement {
        let _ = writeln!(
            out,
            "   → {} {}{}{}",
            r.vendor,
            r.model,
            r.form_factor
                .as_ref()
                .map_or(String::new(), |f| format!(" ({f})")),
            c.wave
                .as_ref()
                .map_or(String::new(), |w| format!("   wave {w}"))
        );
        let _ = writeln!(out, "   why");
        for w in &r.why {
            let _ = writeln!(out, "     - {w}");
        }
    }
    if let Some(r) = &c.recorder {
        let _ = writeln!(
            out,
            "   {}",
            st.bad(&format!(
                "→ RECORDER ({}): replace the recorder: out of scope for camera matching",
                r.kind
            ))
        );
        for e in &r.evidence {
            let _ = writeln!(out, "     - {e}");
        }
        for ch in &r.channels {
            let _ = writeln!(
                out,
                "     - channel {}: {}",
                ch.label(),
                ch.profiles.join(", ")
            );
        }
    }
    if let Some(n) = &c.no_suitable_model {
        let _ = writeln!(out, "   {}", st.bad("→ NO SUITABLE MODEL"));
        for u in &n.unmet {
            let _ = writeln!(out, "     - unmet: {u}");
        }
        if let Some(cl) = &n.closest {
            let _ = writeln!(out, "     - closest: {cl}");
        }
    }
    if let Some(s) = &c.out_of_stock {
        let _ = writeln!(out, "   {}", st.bad("→ OUT OF STOCK"));
        let _ = writeln!(
            out,
            "     - fitting models, all allocated: {}",
            s.fitting.join(", ")
        );
    }
    if !c.requirements.is_empty() {
        let _ = writeln!(out, "   requirements");
    }
    for r in &c.requirements {
        let kind = match r.kind {
            super::requirements::Strength::Hard => "hard",
            super::requirements::Strength::Preference => "pref",
        };
        let _ = writeln!(out, "     {kind}  {}  (from {})", r.what, r.from);
    }
    if !c.steps.is_empty() {
        let _ = writeln!(out, "   steps");
        let width = c.steps.len().to_string().len();
        let indent = " ".repeat(width + 3);
        for (i, s) in c.steps.iter().enumerate() {
            let _ = write!(out, "   {:>width$}. ", i + 1);
            step_text(s, st, out, &indent);
        }
    }
    if !c.errors.is_empty() {
        let _ = writeln!(out, "   {}", st.bad("errors"));
        for e in &c.errors {
            let _ = writeln!(out, "     {}", st.bad(&format!("✗ {e}")));
        }
    }
    if !c.warnings.is_empty() {
        let _ = writeln!(out, "   warnings");
        for w in &c.warnings {
            let _ = writeln!(out, "     {}", st.warn(&format!("! {w}")));
        }
    }
    out.push('\n');
}

/// How the plan's error for a camera with ONVIF off begins (`super::onvif_off_error`).
const ONVIF_OFF: &str = "ONVIF is off";

/// The dry run of a plan. Device-supplied text in it (ids, names, tokens, preset names,
/// notes quoting devices) is shown cleaned for the terminal.
pub fn dry_run(plan: &Plan, color: bool) -> String {
    match shown(plan) {
        Some(p) => render(&p, color),
        // Only our own colour codes may reach the terminal; without them, the whole text can be
        // cleaned line by line.
        None => crate::text::clean_lines(&render(plan, false)),
    }
}

/// The plan with every string cleaned for a terminal. Cleaning the values once, rather than at
/// each of the dozens of places the text is assembled, leaves no place to forget; `None` if a
/// cleaned string no longer parses as its field.
fn shown(plan: &Plan) -> Option<Plan> {
    fn clean_all(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                if let std::borrow::Cow::Owned(c) = crate::text::clean(s) {
                    *s = c;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(clean_all),
            serde_json::Value::Object(o) => o.values_mut().for_each(clean_all),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(plan).ok()?;
    clean_all(&mut v);
    serde_json::from_value(v).ok()
}

fn render(plan: &Plan, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    let replaced = plan
        .cameras
        .iter()
        .filter(|c| c.replacement.is_some())
        .count();
    let none = plan
        .cameras
        .iter()
        .filter(|c| c.no_suitable_model.is_some())
        .count();
    let stock = plan
        .cameras
        .iter()
        .filter(|c| c.out_of_stock.is_some())
        .count();
    let recorders = plan.cameras.iter().filter(|c| c.recorder.is_some()).count();
    let onvif_off = plan
        .cameras
        .iter()
        .filter(|c| c.errors.iter().any(|e| e.starts_with(ONVIF_OFF)))
        .count();
    let _ = writeln!(
        out,
        "{}",
        st.bold(&format!(
            "camswap plan (dry run): {} flagged cameras: {replaced} to replace, {none} without a suitable model, {stock} out of stock{}{}",
            plan.cameras.len(),
            if recorders > 0 {
                format!(", {recorders} recorders (replaced as recorders)")
            } else {
                String::new()
            },
            if onvif_off > 0 {
                format!(", {onvif_off} with ONVIF off (enable ONVIF, then inventory again)")
            } else {
                String::new()
            }
        ))
    );
    let _ = writeln!(out, "fingerprint {}", plan.fingerprint);
    let i = &plan.inputs;
    for (label, f) in [
        ("inventory", &i.inventory),
        ("catalogue", &i.catalog),
        ("stock", &i.stock),
        ("rollout", &i.rollout),
        ("policy", &i.policy),
    ] {
        if let Some(f) = f {
            let _ = writeln!(
                out,
                "{label:<10} {}{}",
                f.name,
                f.sha256.as_ref().map_or(String::new(), |h| format!(
                    "  sha256:{}",
                    &h[..h.len().min(16)]
                ))
            );
        }
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "{}", st.warn(&format!("! {w}")));
    }
    let _ = writeln!(out, "\nwaves");
    for w in &plan.waves {
        let n = w.cameras.len();
        let cameras = format!("{n} camera{}", if n == 1 { "" } else { "s" });
        // Without a rollout file apply sets no limits of its own (see migrate::waves).
        if plan.inputs.rollout.is_none() {
            let _ = writeln!(
                out,
                "  {}: {cameras}, no rollout file: apply runs --concurrency cameras at once and tries every one",
                w.name
            );
            continue;
        }
        let budget = match w.max_failures {
            super::rollout::Budget::Count(0) => "stop at the first failure".to_owned(),
            b @ super::rollout::Budget::Percent(_) => {
                format!("stop when failures exceed {b} ({} of {n})", b.allowed(n))
            }
            b => format!("stop when failures exceed {b}"),
        };
        let canary = match w.canary {
            0 => String::new(),
            k => format!(", the first {k} alone (canary)"),
        };
        let _ = writeln!(
            out,
            "  {}: {cameras}, at most {} unavailable at once, {budget}{canary}",
            w.name, w.max_unavailable
        );
    }
    out.push('\n');
    for c in &plan.cameras {
        camera(c, &st, &mut out);
    }
    out
}
