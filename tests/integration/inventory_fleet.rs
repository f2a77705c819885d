//! An inventory of a mixed fleet of every built-in persona equals, field by field, what each
//! persona declares. Expected values come from the mock-devices library (the persona files),
//! never from copies written here.

use std::time::Duration;

use camswap::credentials::{Login, Secret};
use camswap::inventory::reader::{ReadOptions, Target, read_all};
use camswap::model::{Codec, DeviceSnapshot, MediaService, Range};
use mock_devices::{Fleet, FleetSpec, Persona};

fn expect_device_service(s: &DeviceSnapshot, p: &Persona, ip: &str) {
    let who = &p.name;
    let id = &p.identity;
    assert_eq!(
        s.identity.manufacturer.as_deref(),
        Some(id.manufacturer.as_str()),
        "{who}"
    );
    assert_eq!(
        s.identity.model.as_deref(),
        Some(id.model.as_str()),
        "{who}"
    );
    assert_eq!(
        s.identity.firmware_version.as_deref(),
        Some(id.firmware.as_str()),
        "{who}"
    );
    assert_eq!(
        s.identity.serial_number.as_deref(),
        Some(id.serial.as_str()),
        "{who}"
    );
    assert_eq!(
        s.identity.hardware_id.as_deref(),
        Some(id.hardware_id.as_str()),
        "{who}"
    );
    assert_eq!(s.id, format!("serial:{}", id.serial), "{who}");

    let net = &p.network;
    assert_eq!(s.network.interfaces.len(), net.interfaces.len(), "{who}");
    for (i, (got, want)) in s.network.interfaces.iter().zip(&net.interfaces).enumerate() {
        assert_eq!(got.token, want.token, "{who}");
        assert_eq!(
            got.mac.as_deref(),
            Some(want.mac.to_ascii_lowercase().replace('-', ":").as_str()),
            "{who}"
        );
        let v4 = got.ipv4.as_ref().expect("IPv4 configuration");
        assert_eq!(v4.dhcp, want.dhcp, "{who}");
        assert_eq!(v4.prefix_length, Some(want.prefix_length), "{who}");
        if i == 0 {
            // The first interface reports the address the device is reached at.
            assert_eq!(v4.address.as_deref(), Some(ip), "{who}");
        }
    }
    let hostname = s.network.hostname.as_ref().expect("hostname");
    assert_eq!(
        hostname.name.as_deref(),
        Some(net.hostname.as_str()),
        "{who}"
    );
    assert_eq!(hostname.from_dhcp, net.hostname_from_dhcp, "{who}");
    let strings = |v: &[std::net::IpAddr]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let gateways: Vec<String> = net.gateway.iter().map(ToString::to_string).collect();
    assert_eq!(s.network.default_gateway, gateways, "{who}");
    let dns = s.network.dns.as_ref().expect("DNS");
    assert_eq!(dns.servers, strings(&net.dns), "{who}");
    assert_eq!(dns.from_dhcp, net.dns_from_dhcp, "{who}");
    let ntp = s.network.ntp.as_ref().expect("NTP");
    assert_eq!(ntp.servers, net.ntp, "{who}");

    let mut scopes: Vec<(String, bool)> =
        s.scopes.iter().map(|x| (x.uri.clone(), x.fixed)).collect();
    let mut want: Vec<(String, bool)> = p
        .scopes
        .fixed
        .iter()
        .map(|u| (u.clone(), true))
        .chain(p.scopes.configurable.iter().map(|u| (u.clone(), false)))
        .collect();
    scopes.sort();
    want.sort();
    assert_eq!(scopes, want, "{who}");

    let users: Vec<(&str, &str)> = s
        .users
        .iter()
        .map(|u| (u.username.as_str(), u.level.as_str()))
        .collect();
    let want: Vec<(&str, &str)> = p
        .users
        .iter()
        .map(|u| (u.name.as_str(), u.level.as_str()))
        .collect();
    assert_eq!(users, want, "{who}");

    // Every service the persona lists, at the address we reached.
    let mut namespaces: Vec<&str> = s.services.iter().map(|x| x.namespace.as_str()).collect();
    let mut want: Vec<&str> = p.services.iter().map(|x| x.kind.namespace()).collect();
    namespaces.sort();
    want.sort();
    assert_eq!(namespaces, want, "{who}");
    for svc in &s.services {
        assert!(
            svc.xaddr.starts_with(&format!("http://{ip}:")),
            "{who}: {svc:?}"
        );
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Profiles, encoder settings and their options, URIs: Media2's values, since every built-in
/// persona offers Media2 and only Media2 tells the truth about H.265.
fn expect_media(s: &DeviceSnapshot, p: &Persona, ip: &str) {
    let who = &p.name;
    let spec = p.media.as_ref().expect("every built-in persona has media");
    let state = spec.initial_state(false);
    let tokens: Vec<&str> = s.profiles.iter().map(|x| x.token.as_str()).collect();
    let want: Vec<&str> = state.profiles.iter().map(|x| x.token.as_str()).collect();
    assert_eq!(tokens, want, "{who}");
    for (got, want) in s.profiles.iter().zip(&state.profiles) {
        let at = format!("{who} {}", want.token);
        assert_eq!(got.name, want.name, "{at}");
        assert_eq!(got.fixed, want.fixed, "{at}");
        assert_eq!(got.service, MediaService::Both, "{at}");
        assert_eq!(got.ptz_configuration, want.ptz, "{at}");
        assert_eq!(
            got.video_source_configuration
                .as_ref()
                .map(|c| c.token.clone()),
            want.video_source,
            "{at}"
        );
        assert_eq!(
            got.audio_encoder.as_ref().map(|a| a.token.clone()),
            want.audio_encoder,
            "{at}"
        );
        let Some(token) = &want.video_encoder else {
            assert!(got.video_encoder.is_none(), "{at}");
            continue;
        };
        let e = state.encoders.iter().find(|e| &e.token == token).unwrap();
        let g = got.video_encoder.as_ref().expect("encoder read");
        assert_eq!(g.token, e.token, "{at}");
        assert_eq!(
            g.encoding,
            Some(Codec::parse(e.encoding.media2_name())),
            "{at}"
        );
        assert_eq!(
            (g.width, g.height),
            (Some(e.resolution.width), Some(e.resolution.height)),
            "{at}"
        );
        assert!(close(g.frame_rate.unwrap(), e.frame_rate), "{at}: {g:?}");
        assert!(close(g.quality.unwrap(), e.quality), "{at}: {g:?}");
        assert_eq!(g.bitrate_kbps, Some(e.bitrate), "{at}");
        if e.gov.is_some() {
            assert_eq!(g.gov_length, e.gov, "{at}");
        }
        assert_eq!(g.profile, e.profile, "{at}");
        assert_eq!(g.constant_bitrate, Some(e.cbr), "{at}");

        // Options: every codec the encoder offers, with its resolutions and ranges.
        let opts = spec.options_of(e).expect("options");
        let mut codecs: Vec<String> = got
            .encoder_options
            .iter()
            .map(|o| o.encoding.as_ref().unwrap().mime_name().to_owned())
            .collect();
        let mut want_codecs: Vec<String> = opts
            .codecs()
            .map(|(c, _)| c.media2_name().to_owned())
            .collect();
        codecs.sort();
        want_codecs.sort();
        assert_eq!(codecs, want_codecs, "{at}");
        for (codec, co) in opts.codecs() {
            let o = got
                .encoder_options
                .iter()
                .find(|o| o.encoding == Some(Codec::parse(codec.media2_name())))
                .unwrap();
            let mut res = o.resolutions.clone();
            let mut want_res: Vec<(u32, u32)> =
                co.resolutions.iter().map(|r| (r.width, r.height)).collect();
            res.sort();
            want_res.sort();
            assert_eq!(res, want_res, "{at} {codec}");
            assert_eq!(
                o.quality_range,
                Some(Range::new(opts.quality[0], opts.quality[1])),
                "{at} {codec}"
            );
            assert_eq!(
                o.bitrate_range,
                Some(Range::new(
                    f64::from(co.bitrate[0]),
                    f64::from(co.bitrate[1])
                )),
                "{at} {codec}"
            );
            assert_eq!(o.frame_rates, co.frame_rates(), "{at} {codec}");
            assert_eq!(o.profiles, co.profiles, "{at} {codec}");
        }
        let uri = got.stream_uri.as_deref().expect("stream URI");
        assert!(uri.starts_with(&format!("rtsp://{ip}")), "{at}: {uri}");
    }
}

/// Nodes, configurations, and every preset with its position (read once per node).
fn expect_ptz(s: &DeviceSnapshot, p: &Persona) {
    let who = &p.name;
    let Some(spec) = &p.ptz else {
        assert!(s.ptz.is_none(), "{who}");
        return;
    };
    let ptz = s.ptz.as_ref().expect("PTZ read");
    assert_eq!(ptz.nodes.len(), 1, "{who}");
    let node = &ptz.nodes[0];
    assert_eq!(node.token, spec.node.token, "{who}");
    assert_eq!(node.max_presets as usize, spec.node.max_presets, "{who}");
    assert_eq!(node.home_supported, spec.node.home_supported, "{who}");
    assert!(!node.absolute_pan_tilt.is_empty(), "{who}");
    let configs: Vec<&str> = ptz
        .configurations
        .iter()
        .map(|c| c.token.as_str())
        .collect();
    let want: Vec<&str> = spec
        .configurations
        .iter()
        .map(|c| c.token.as_str())
        .collect();
    assert_eq!(configs, want, "{who}");

    let state = spec.initial_state(false);
    let listing = spec.listing(&state);
    let through = s
        .profiles
        .iter()
        .find(|x| x.ptz_configuration.is_some())
        .map(|x| x.token.clone())
        .unwrap();
    assert_eq!(
        ptz.presets.len(),
        listing.len(),
        "{who}: one listing per node"
    );
    for (got, want) in ptz.presets.iter().zip(listing.iter()) {
        let at = format!("{who} preset {}", want.token);
        assert_eq!(got.profile_token, through, "{at}");
        assert_eq!(got.token, want.token, "{at}");
        assert_eq!(got.name.as_deref().unwrap_or_default(), want.name, "{at}");
        match (&got.position, &want.position) {
            (Some(g), Some(w)) => {
                let (x, y, space) = g.pan_tilt.clone().expect("pan/tilt");
                let (z, _) = g.zoom.clone().expect("zoom");
                assert!(
                    close(x, w.x) && close(y, w.y) && close(z, w.z),
                    "{at}: {g:?} vs {w:?}"
                );
                assert_eq!(
                    space.as_deref(),
                    Some("http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"),
                    "{at}"
                );
            }
            (None, None) => {}
            other => panic!("{at}: {other:?}"),
        }
    }
    assert_eq!(s.observed.ptz_positions.len(), 1, "{who}");
}

/// A recording job source as compared: token, type URI, track mappings.
type JobSourceView<'a> = (Option<&'a str>, Option<&'a str>, Vec<(String, String)>);

/// Recordings with their tracks and retention, and the jobs with mode, priority and sources.
fn expect_recording(s: &DeviceSnapshot, p: &Persona) {
    let who = &p.name;
    let Some(spec) = &p.recording else {
        assert!(s.recording.is_none(), "{who}");
        return;
    };
    let rec = s.recording.as_ref().expect("recording read");
    let state = spec.initial_state(false);
    assert_eq!(rec.recordings.len(), state.recordings.len(), "{who}");
    for (got, want) in rec.recordings.iter().zip(&state.recordings) {
        let at = format!("{who} recording {}", want.token);
        assert_eq!(got.token, want.token, "{at}");
        assert_eq!(got.source.name, want.name, "{at}");
        assert_eq!(got.content, want.content, "{at}");
        assert_eq!(
            got.max_retention.as_deref(),
            Some(want.retention.as_str()),
            "{at}"
        );
        let tracks: Vec<(&str, &str)> = got
            .tracks
            .iter()
            .map(|t| (t.token.as_str(), t.kind.as_str()))
            .collect();
        let want_tracks: Vec<(&str, &str)> = want
            .tracks
            .iter()
            .map(|t| (t.token.as_str(), t.kind.as_str()))
            .collect();
        assert_eq!(tracks, want_tracks, "{at}");
        assert!(got.options.is_some(), "{at}");
    }
    assert_eq!(rec.jobs.len(), state.jobs.len(), "{who}");
    for (got, want) in rec.jobs.iter().zip(&state.jobs) {
        let at = format!("{who} job {}", want.token);
        assert_eq!(got.token, want.token, "{at}");
        assert_eq!(got.recording_token, want.recording, "{at}");
        assert_eq!(got.mode, want.mode, "{at}");
        assert_eq!(i64::from(got.priority), want.priority, "{at}");
        assert_eq!(got.schedule_token, want.schedule, "{at}");
        let sources: Vec<JobSourceView<'_>> = got
            .sources
            .iter()
            .map(|x| {
                (
                    x.source_token.as_deref(),
                    x.source_type.as_deref(),
                    x.tracks.clone(),
                )
            })
            .collect();
        let want_sources: Vec<JobSourceView<'_>> = want
            .sources
            .iter()
            .map(|x| {
                (
                    Some(x.token.as_str()),
                    Some(x.kind.as_str()),
                    x.tracks.clone(),
                )
            })
            .collect();
        assert_eq!(sources, want_sources, "{at}");
    }
}

/// Imaging settings per video source, with ranges from GetOptions.
fn expect_imaging(s: &DeviceSnapshot, p: &Persona) {
    let who = &p.name;
    let Some(spec) = &p.imaging else {
        return;
    };
    assert!(!s.video_sources.is_empty(), "{who}");
    for v in &s.video_sources {
        let i = v
            .imaging
            .as_ref()
            .unwrap_or_else(|| panic!("{who} {}: no imaging", v.token));
        let want = &spec.settings;
        assert_eq!(i.brightness, want.brightness, "{who}");
        assert_eq!(i.contrast, want.contrast, "{who}");
        assert_eq!(i.color_saturation, want.color_saturation, "{who}");
        assert_eq!(i.sharpness, want.sharpness, "{who}");
        assert_eq!(i.ir_cut_filter, want.ir_cut, "{who}");
        assert_eq!(i.wide_dynamic_range, want.wdr, "{who}");
        if let Some([lo, hi]) = spec.options.brightness {
            let got = i
                .ranges
                .iter()
                .find(|(n, _)| n == "brightness")
                .map(|(_, r)| *r);
            assert_eq!(got, Some(Range::new(lo, hi)), "{who}");
        }
    }
}

#[tokio::test]
async fn a_mixed_fleet_reads_back_as_each_persona_declares() {
    let personas: Vec<Persona> = Persona::builtin_names()
        .into_iter()
        .map(|n| Persona::builtin(n).unwrap())
        .collect();
    // Two of each, interleaved, as on a site.
    let fleet = Fleet::start(FleetSpec::round_robin(
        &personas,
        personas.len() * 2,
        "127.0.42.1".parse().unwrap(),
    ))
    .await
    .expect("fleet starts");
    let xaddrs = fleet.xaddrs().await;
    let targets: Vec<Target> = xaddrs
        .iter()
        .map(|x| Target {
            xaddr: x.clone(),
            endpoint: None,
            login: Some(Login {
                username: "admin".into(),
                password: Secret::new("camswap-demo"),
            }),
        })
        .collect();
    let opts = ReadOptions {
        timeout: Duration::from_secs(5),
        concurrency: 4,
        ..ReadOptions::default()
    };
    let out = read_all(&targets, &opts, &|_, _| {}).await;
    assert_eq!(out.len(), xaddrs.len());
    for (i, x) in xaddrs.iter().enumerate() {
        // Fleet devices are individualised (their own MAC, serial, endpoint): ask the device.
        let ip: std::net::Ipv4Addr = x
            .trim_start_matches("http://")
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let p = &fleet
            .with_device(ip, |d| d.persona().clone())
            .await
            .unwrap();
        assert_eq!(p.name, personas[i % personas.len()].name);
        let s = out
            .iter()
            .find(|s| &s.xaddr == x)
            .unwrap_or_else(|| panic!("{x} missing"));
        assert!(s.errors.is_empty(), "{}: {:?}", p.name, s.errors);
        let ip = ip.to_string();
        expect_device_service(s, p, &ip);
        expect_media(s, p, &ip);
        expect_ptz(s, p);
        expect_recording(s, p);
        expect_imaging(s, p);
        assert_eq!(s.sha256, s.digest());
    }
    // Sorted by id, then xaddr: deterministic whatever order the reads finished in.
    let keys: Vec<(&str, &str)> = out
        .iter()
        .map(|s| (s.id.as_str(), s.xaddr.as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}
