//! Renderings of an [`AuditReport`]: a terminal table, JSON, CSV, and one self-contained HTML
//! page for security managers (inline CSS, no scripts, nothing loaded from anywhere).
//!
//! Device-supplied strings are hostile until proven otherwise: HTML escapes every one, the
//! table replaces control characters (a manufacturer string could carry terminal escapes), and
//! CSV defuses cells a spreadsheet would run as a formula.

use std::fmt::Write as _;

use super::{AuditReport, DeviceVerdict, Evidence, Verdict};
use crate::text::clean;

/// A plain table (one row per device) followed by the evidence for each flagged device.
pub fn table(r: &AuditReport) -> String {
    let rows: Vec<Vec<String>> = r
        .devices
        .iter()
        .map(|d| {
            vec![
                d.verdict.label().to_owned(),
                format!("{:.2}", d.confidence),
                // The table cleans every cell.
                d.id.clone(),
                d.device.manufacturer.clone().unwrap_or_else(|| "-".into()),
                d.device.model.clone().unwrap_or_else(|| "-".into()),
                d.company_name.clone().unwrap_or_else(|| "-".into()),
                signals(d),
            ]
        })
        .collect();
    let mut out = crate::text::table(
        &[
            "VERDICT",
            "CONF",
            "DEVICE",
            "MANUFACTURER",
            "MODEL",
            "COMPANY",
            "SIGNALS",
        ],
        &rows,
    );
    for d in r.devices.iter().filter(|d| d.verdict != Verdict::Clear) {
        let _ = write!(
            out,
            "\n{} {}: {}\n",
            d.verdict.label(),
            clean(&d.id),
            clean(&d.reason)
        );
        for w in &d.wording {
            let _ = writeln!(out, "  policy: {}", clean(w));
        }
        if !d.device.channel_names.is_empty() {
            let _ = writeln!(
                out,
                "  channels ({}): {}",
                d.device.channel_names.len(),
                clean(&d.device.channel_names.join(", "))
            );
        }
        for e in d
            .evidence
            .iter()
            .filter(|e| e.company.is_some() || e.counter.is_some() || d.verdict == Verdict::Unknown)
        {
            let _ = writeln!(out, "  - {}", clean(&evidence_line(e)));
        }
    }
    // Clear devices with counter-evidence or set-aside signals: say what decided.
    for d in r
        .devices
        .iter()
        .filter(|d| d.verdict == Verdict::Clear && d.evidence.iter().any(|e| e.set_aside))
    {
        let _ = write!(out, "\nCLEAR {}: {}\n", clean(&d.id), clean(&d.reason));
    }
    for d in r
        .devices
        .iter()
        .filter(|d| d.verdict == Verdict::Clear && !d.device.channel_names.is_empty())
    {
        let _ = write!(
            out,
            "\nCLEAR {}: channels ({}): {}\n",
            clean(&d.id),
            d.device.channel_names.len(),
            clean(&d.device.channel_names.join(", "))
        );
    }
    out.push('\n');
    for p in &r.policies {
        let _ = writeln!(out, "Policy {}: {}", clean(&p.id), clean(&p.title));
        if let Some(st) = &p.statement {
            let _ = writeln!(out, "  Statement: \"{}\"", clean(st));
        }
        if let Some(sc) = &p.scope {
            let _ = writeln!(out, "  Scope: {}", clean(sc));
        }
        if let Some(w) = &p.covered_wording {
            let _ = writeln!(out, "  Verdict COVERED means: {}", clean(w));
        }
    }
    out.push_str("Not visible remotely:\n");
    for l in &r.limits {
        let _ = writeln!(out, "  - {}", clean(l));
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "\n{} of {} devices need attention (exit 10 unless --allow-unknown covers them all).",
        s.needing_attention(false),
        s.devices
    );
    for v in Verdict::ALL {
        let _ = writeln!(out, "{:<12} {}", v.label(), s.count(v));
    }
    out
}

/// The JSON report (`camswap.audit` version 1), pretty-printed with a final newline.
pub fn json(r: &AuditReport) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("an audit report always serialises");
    s.push('\n');
    s
}

/// One row per device; the deciding evidence summarised in one cell.
pub fn csv(r: &AuditReport) -> String {
    let mut out = String::new();
    let header = [
        "id",
        "verdict",
        "company",
        "confidence",
        "policies",
        "manufacturer",
        "model",
        "firmware",
        "xaddr",
        "mac",
        "serial",
        "access",
        "found_by",
        "channels",
        "channel_names",
        "reason",
        "policy_wording",
        "evidence",
        "counter_evidence",
    ];
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for d in &r.devices {
        let evidence: Vec<String> = d
            .evidence
            .iter()
            .filter(|e| e.company.is_some())
            .map(evidence_line)
            .collect();
        let counter: Vec<String> = d.counter_evidence().map(evidence_line).collect();
        let cells = [
            d.id.clone(),
            serde_plain(d.verdict),
            d.company.clone().unwrap_or_default(),
            format!("{:.3}", d.confidence),
            d.policies.join(" "),
            d.device.manufacturer.clone().unwrap_or_default(),
            d.device.model.clone().unwrap_or_default(),
            d.device.firmware.clone().unwrap_or_default(),
            d.device.xaddr.clone(),
            d.device.mac.clone().unwrap_or_default(),
            d.device.serial.clone().unwrap_or_default(),
            d.device.access.clone().unwrap_or_default(),
            d.device.found_by.join(" "),
            d.device.channels.map(|c| c.to_string()).unwrap_or_default(),
            d.device.channel_names.join("; "),
            d.reason.clone(),
            d.wording.join("; "),
            evidence.join("; "),
            counter.join("; "),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// RFC 4180 quoting; a cell a spreadsheet would evaluate (`=`, `+`, `-`, `@`) gets a leading
/// apostrophe so a hostile device name cannot run as a formula.
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn serde_plain(v: Verdict) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn signals(d: &DeviceVerdict) -> String {
    let mut s: Vec<&str> = Vec::new();
    for e in d.deciding() {
        let n = e.signal.describe();
        if !s.contains(&n) {
            s.push(n);
        }
    }
    if s.is_empty() {
        "-".into()
    } else {
        s.join(", ")
    }
}

fn evidence_line(e: &Evidence) -> String {
    let mut s = format!("{} {:?}: {}", e.signal.describe(), e.observed, e.rule);
    if e.company.is_some() {
        let _ = write!(s, " ({:.2}", e.confidence);
        if let Some(p) = &e.policy {
            let _ = write!(s, ", {p}");
        }
        s.push(')');
    }
    if let Some(c) = &e.counter {
        let _ = write!(s, " (counter-evidence: {c})");
    }
    if let Some(n) = &e.note {
        let _ = write!(s, " [{n}]");
    }
    s
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "&#xFFFD;");
            }
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root{--ink:#1c2430;--muted:#5b6675;--line:#d9dee5;--bg:#f5f7fa;--red:#b42318;--red-bg:#fde8e7;--amber:#8a5a00;--amber-bg:#fff3d6;--green:#1f6f3f;--green-bg:#e3f4e9;--grey:#4b5563;--grey-bg:#eceff3}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#17212f;color:#fff;padding:22px 32px}
header h1{margin:0 0 4px;font-size:22px;font-weight:600}
header p{margin:0;color:#c5cdd8}
main{padding:24px 32px 40px;max-width:1400px}
h2{font-size:17px;margin:28px 0 10px}
.cards{display:flex;gap:14px;flex-wrap:wrap}
.card{background:#fff;border:1px solid var(--line);border-left-width:6px;border-radius:6px;padding:12px 18px;min-width:170px}
.card .n{font-size:30px;font-weight:700;line-height:1.1}
.card .t{color:var(--muted);font-size:13px}
.card.total{border-left-color:#17212f}.card.covered{border-left-color:var(--red)}.card.review{border-left-color:#d99400}.card.white{border-left-color:#d99400}.card.unknown{border-left-color:var(--grey)}.card.clear{border-left-color:var(--green)}
.verdict-line{margin:14px 0 0;font-size:15px}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:6px;overflow:hidden}
th,td{text-align:left;vertical-align:top;padding:9px 12px;border-bottom:1px solid var(--line)}
th{background:#eef1f5;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
tr:last-child td{border-bottom:0}
.badge{display:inline-block;white-space:nowrap;font-weight:700;font-size:12px;letter-spacing:.03em;padding:3px 9px;border-radius:12px;border:1px solid}
.badge.covered{color:var(--red);background:var(--red-bg);border-color:var(--red)}
.badge.review{color:var(--amber);background:#fff;border-color:#d99400}
.badge.white_label{color:var(--amber);background:var(--amber-bg);border-color:#d99400}
.badge.unknown{color:var(--grey);background:var(--grey-bg);border-color:var(--grey)}
.badge.clear{color:var(--green);background:var(--green-bg);border-color:var(--green)}
.dev b{font-size:14px}.dev div{color:var(--muted);font-size:12.5px;word-break:break-all}
.conf{white-space:nowrap}.meter{display:block;width:90px;height:6px;background:#e6e9ee;border-radius:3px;margin-top:4px}
.meter i{display:block;height:6px;border-radius:3px;background:var(--ink)}
ul.ev{margin:6px 0 0;padding-left:18px}ul.ev li{margin:2px 0}
.sig{font-weight:600}.obs{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:#f1f3f6;padding:0 4px;border-radius:3px;word-break:break-all}
.w{color:var(--muted);font-size:12px}.src{color:var(--muted);font-size:12px;display:block}
.ctx{color:var(--muted)}
.reason{margin:0 0 4px}
.empty{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px;color:var(--muted)}
footer{color:var(--muted);font-size:12.5px;margin-top:30px;border-top:1px solid var(--line);padding-top:14px}
footer li{margin:3px 0}footer h3{font-size:14px;margin:18px 0 6px;color:var(--ink)}
a.ref{color:#2f5ea8;text-decoration:none;font-size:12px}a.ref:hover{text-decoration:underline}
ol.sources li:target{background:#fff7d6}
@media print{body{background:#fff}header{background:#fff;color:#000;border-bottom:2px solid #000}header p{color:#333}.card,table{break-inside:avoid}}
"#;

/// One self-contained HTML page: summary counts, flagged devices with their evidence, the
/// devices that could not be judged, the clear ones, and the policies and sources applied.
pub fn html(r: &AuditReport) -> String {
    let e = escape_html;
    let s = &r.summary;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing may load from anywhere: a report opened on an offline laptop shows everything.
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    h.push_str("<title>camswap audit: covered camera report</title>\n<style>");
    h.push_str(CSS);
    h.push_str("</style>\n</head>\n<body>\n<header>\n<h1>Camera audit: covered and white-label hardware</h1>\n<p>");
    let policies: Vec<String> = r.policies.iter().map(|p| p.id.clone()).collect();
    let _ = write!(h, "Policies: {}", e(&policies.join(", ")));
    if let Some(t) = &r.inventory_taken_at {
        let _ = write!(h, " &middot; inventory taken {}", e(t));
    }
    let _ = write!(
        h,
        " &middot; flag threshold {:.2}</p>\n</header>\n<main>\n",
        r.threshold
    );

    h.push_str("<section aria-label=\"Summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
    for (class, n, t) in [
        ("total", s.devices, "devices audited"),
        ("covered", s.covered, "covered (policy applies)"),
        ("white", s.white_label, "white label (rebranded)"),
        (
            "review",
            s.review,
            "review (one group, weak or contradicted)",
        ),
        ("unknown", s.unknown, "unknown (nothing readable)"),
        ("clear", s.clear, "clear"),
    ] {
        let _ = writeln!(
            h,
            "<div class=\"card {class}\"><div class=\"n\">{n}</div><div class=\"t\">{t}</div></div>"
        );
    }
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        "<p class=\"verdict-line\"><strong>{} of {} devices flagged</strong>{}</p>\n</section>",
        s.flagged(),
        s.devices,
        if s.flagged() > 0 {
            ": the policies below say what that means for each."
        } else {
            "."
        }
    );

    let mut refs = Refs::default();
    // Covered first, then white label; the strongest cases first within each.
    let mut flagged: Vec<&DeviceVerdict> = r.devices.iter().filter(|d| d.flagged()).collect();
    flagged.sort_by(|a, b| {
        a.verdict
            .cmp(&b.verdict)
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.id.cmp(&b.id))
    });
    h.push_str("<section aria-label=\"Flagged devices\">\n<h2>Flagged devices</h2>\n");
    if flagged.is_empty() {
        h.push_str("<p class=\"empty\">No device was flagged.</p>\n");
    } else {
        device_table(&mut h, &flagged, true, &mut refs);
    }
    h.push_str("</section>\n");

    let review: Vec<&DeviceVerdict> = r
        .devices
        .iter()
        .filter(|d| d.verdict == Verdict::Review)
        .collect();
    if !review.is_empty() {
        h.push_str("<section aria-label=\"Devices to review\">\n<h2>To review</h2>\n");
        device_table(&mut h, &review, true, &mut refs);
        h.push_str("</section>\n");
    }
    let unknown: Vec<&DeviceVerdict> = r
        .devices
        .iter()
        .filter(|d| d.verdict == Verdict::Unknown)
        .collect();
    if !unknown.is_empty() {
        h.push_str("<section aria-label=\"Devices that could not be judged\">\n<h2>Could not be judged</h2>\n");
        device_table(&mut h, &unknown, true, &mut refs);
        h.push_str("</section>\n");
    }

    let clear: Vec<&DeviceVerdict> = r
        .devices
        .iter()
        .filter(|d| d.verdict == Verdict::Clear)
        .collect();
    h.push_str("<section aria-label=\"Unflagged devices\">\n<h2>Unflagged devices</h2>\n");
    if clear.is_empty() {
        h.push_str("<p class=\"empty\">None.</p>\n");
    } else {
        device_table(&mut h, &clear, false, &mut refs);
    }
    h.push_str("</section>\n");

    h.push_str("<footer>\n<p><strong>How to read this.</strong> Each flag lists its evidence: the signal, the value the device reported (with or without a login), the policy rule it matched with its source, and its weight. Evidence for one company is combined per independent signal group with a noisy-OR, capped at 0.99. Covered: a covered company is shown by at least two independent groups, one of them strong, and the device names it or nothing else. White label: it carries another name, but its firmware, MAC, model or fingerprints point to a covered company. Review: one group only, weak signals only, or evidence for another maker (named) contradicts it. Weak signals are set aside when the device carries evidence for a maker no policy covers.</p>\n<ul>\n");
    for p in &r.policies {
        let _ = write!(
            h,
            "<li><strong>{}</strong> ({}): {}{}. Covers {}.",
            e(&p.id),
            e(&p.origin),
            e(&p.title),
            p.effective
                .as_deref()
                .map(|d| format!(", effective {}", e(d)))
                .unwrap_or_default(),
            e(&p.companies.join(", "))
        );
        if let Some(st) = &p.statement {
            let _ = write!(h, "<blockquote>&ldquo;{}&rdquo;</blockquote>", e(st));
        }
        if let Some(sc) = &p.scope {
            let _ = write!(h, "<div>Scope: {}</div>", e(sc));
        }
        if let Some(w) = &p.covered_wording {
            let _ = write!(h, "<div>COVERED means: {}</div>", e(w));
        }
        h.push_str("</li>\n");
    }
    let _ = writeln!(
        h,
        "<li>OUI table: {}.</li>\n</ul>",
        e(&r.oui_sources.join("; "))
    );
    h.push_str("<h3>What a remote audit cannot see</h3>\n<ul>\n");
    for l in &r.limits {
        let _ = writeln!(h, "<li>{}</li>", e(l));
    }
    h.push_str("</ul>\n");
    if !refs.0.is_empty() {
        h.push_str("<h3>Sources</h3>\n<ol class=\"sources\">\n");
        for (i, c) in refs.0.iter().enumerate() {
            let _ = writeln!(h, "<li id=\"source-{}\">{}</li>", i + 1, e(c));
        }
        h.push_str("</ol>\n");
    }
    let _ = writeln!(
        h,
        "<p>Generated by camswap {}.</p>\n</footer>",
        env!("CARGO_PKG_VERSION")
    );
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn badge(v: Verdict) -> String {
    let (class, sym) = match v {
        Verdict::Covered => ("covered", "&#x2716;"),
        Verdict::WhiteLabel => ("white_label", "&#x26A0;"),
        Verdict::Review => ("review", "&#x25CE;"),
        Verdict::Unknown => ("unknown", "?"),
        Verdict::Clear => ("clear", "&#x2714;"),
    };
    format!("<span class=\"badge {class}\">{sym} {}</span>", v.label())
}

fn device_cell(d: &DeviceVerdict) -> String {
    let e = escape_html;
    let dev = &d.device;
    let title = match (&dev.manufacturer, &dev.model) {
        (Some(m), Some(md)) => format!("{m} {md}"),
        (Some(m), None) => m.clone(),
        (None, Some(md)) => md.clone(),
        (None, None) => "(identity not read)".into(),
    };
    let mut s = format!("<td class=\"dev\"><b>{}</b>", e(&title));
    let _ = write!(s, "<div>{}</div>", e(&d.id));
    if !dev.xaddr.is_empty() {
        let _ = write!(s, "<div>{}</div>", e(&dev.xaddr));
    }
    if let Some(fw) = &dev.firmware {
        let _ = write!(s, "<div>firmware {}</div>", e(fw));
    }
    if let Some(m) = &dev.mac {
        let _ = write!(s, "<div>MAC {}</div>", e(m));
    }
    if let Some(sn) = &dev.serial {
        let _ = write!(s, "<div>serial {}</div>", e(sn));
    }
    if let Some(a) = &dev.access {
        let _ = write!(s, "<div>access: {}</div>", e(a));
    }
    if !dev.found_by.is_empty() {
        let _ = write!(s, "<div>found by {}</div>", e(&dev.found_by.join(", ")));
    }
    if let Some(c) = dev.channels.filter(|c| *c > 1) {
        let _ = write!(s, "<div>{c} channels");
        if !dev.channel_names.is_empty() {
            let _ = write!(s, ": {}", e(&dev.channel_names.join(", ")));
        }
        s.push_str("</div>");
    }
    s.push_str("</td>");
    s
}

fn confidence_cell(d: &DeviceVerdict) -> String {
    let pct = (d.confidence * 100.0).round().clamp(0.0, 100.0);
    format!(
        "<td class=\"conf\">{pct:.0}%<span class=\"meter\"><i style=\"width:{pct:.0}%\"></i></span></td>"
    )
}

/// Distinct citations in order of first use, so evidence can point to `[n]`.
#[derive(Default)]
struct Refs(Vec<String>);

impl Refs {
    fn number(&mut self, citation: &str) -> usize {
        match self.0.iter().position(|c| c == citation) {
            Some(i) => i + 1,
            None => {
                self.0.push(citation.to_owned());
                self.0.len()
            }
        }
    }
}

fn device_table(h: &mut String, devices: &[&DeviceVerdict], with_evidence: bool, refs: &mut Refs) {
    let e = escape_html;
    h.push_str("<table>\n<thead><tr><th>Verdict</th><th>Device</th><th>Company</th><th>Confidence</th><th>");
    h.push_str(if with_evidence { "Why" } else { "Notes" });
    h.push_str("</th></tr></thead>\n<tbody>\n");
    for d in devices {
        let _ = write!(h, "<tr id=\"{}\"><td>{}</td>", e(&d.id), badge(d.verdict));
        h.push_str(&device_cell(d));
        let company = match (&d.company_name, d.policies.is_empty()) {
            (Some(c), false) => format!(
                "{}<div class=\"w\">{}</div>",
                e(c),
                e(&d.policies.join(", "))
            ),
            (Some(c), true) => e(c),
            (None, _) => "&mdash;".into(),
        };
        let _ = write!(h, "<td>{company}</td>");
        h.push_str(&confidence_cell(d));
        let _ = write!(h, "<td><p class=\"reason\">{}</p>", e(&d.reason));
        for w in &d.wording {
            let _ = write!(h, "<p class=\"w\">{}</p>", e(w));
        }
        // A clear device shows its evidence when something was weighed against it.
        if with_evidence
            || d.evidence
                .iter()
                .any(|e| e.set_aside || e.company.is_some())
        {
            h.push_str("<ul class=\"ev\">");
            for ev in &d.evidence {
                evidence_item(h, ev, refs);
            }
            h.push_str("</ul>");
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

fn evidence_item(h: &mut String, ev: &Evidence, refs: &mut Refs) {
    let e = escape_html;
    let class = if ev.company.is_some() {
        ""
    } else {
        " class=\"ctx\""
    };
    let _ = write!(
        h,
        "<li{class}><span class=\"sig\">{}</span> <span class=\"obs\">{}</span>: {}",
        e(ev.signal.describe()),
        e(&ev.observed),
        e(&ev.rule)
    );
    if ev.company.is_some() {
        let _ = write!(h, " <span class=\"w\">(weight {:.2}", ev.confidence);
        if let Some(p) = &ev.policy {
            let _ = write!(h, ", {}", e(p));
        }
        h.push_str(")</span>");
    }
    if let Some(c) = &ev.counter {
        let _ = write!(
            h,
            " <span class=\"w\">&mdash; counter-evidence: {}</span>",
            e(c)
        );
    }
    if let Some(n) = &ev.note {
        let _ = write!(h, " <span class=\"w\">&mdash; {}</span>", e(n));
    }
    if let Some(src) = &ev.source {
        let n = refs.number(src);
        let _ = write!(
            h,
            " <a class=\"ref\" href=\"#source-{n}\" title=\"{}\">[{n}]</a>",
            e(src)
        );
    }
    h.push_str("</li>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape_html("<script>alert(\"x\")</script> & 'y'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape_html("a\u{1b}[31m"), "a&#xFFFD;[31m");
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
    }

    #[test]
    fn terminal_output_shows_control_characters_instead_of_running_them() {
        assert_eq!(clean("HIK\u{1b}[2J"), "HIK\\u{1b}[2J");
    }
}
