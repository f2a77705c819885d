//! Catalogue loading benchmark: `Catalog::parse` of a generated catalogue of 2,000 and 20,000
//! models, against a baseline in the same run: the TOML parser alone (`toml::Value`) on the
//! same text. Loading that grows linearly keeps the ratio to the baseline flat from 2,000 to
//! 20,000 models; the quadratic loader of issue 10 took 29 s for 20,000.
//!
//! Run: `cargo bench --bench catalog_load` (release build).

use std::time::Instant;

use camswap::planner::Catalog;

/// A catalogue of `n` distinct approved models, as a site's file would list them.
fn catalogue(n: usize) -> String {
    let forms = ["dome", "bullet", "turret", "box"];
    let res = ["1920x1080", "2560x1440", "2688x1520", "3840x2160"];
    let mut s = String::from("version = 1\n");
    for i in 0..n {
        s.push_str(&format!(
            "\n[[model]]\nvendor = \"Vendor{}\"\nmodel = \"M-{i:06}\"\nform_factor = \"{}\"\nmax_resolution = \"{}\"\nmax_fps = 30\ncodecs = [\"H264\", \"H265\"]\nonvif_profiles = [\"S\", \"T\"]\nedge_storage = true\ncountry = \"SE\"\nsource = \"datasheet rev {i}\"\ncost = {}\n",
            i % 37,
            forms[i % forms.len()],
            res[i % res.len()],
            400 + i % 900
        ));
    }
    s
}

/// Best of `runs` wall times, in seconds.
fn best(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    println!("| models | toml::Value (baseline) | Catalog::parse | ratio |");
    println!("| --- | --- | --- | --- |");
    for n in [2_000, 20_000] {
        let text = catalogue(n);
        let baseline = best(3, || {
            let v: toml::Value = toml::from_str(&text).expect("valid TOML");
            std::hint::black_box(v);
        });
        let load = best(3, || {
            let c = Catalog::parse("bench.toml", &text).expect("a valid catalogue");
            assert_eq!(c.models.len(), n);
            std::hint::black_box(c);
        });
        println!(
            "| {n} | {:.3} s | {:.3} s | {:.2}x |",
            baseline,
            load,
            load / baseline
        );
    }
}
