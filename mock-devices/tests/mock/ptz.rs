//! PTZ: presets, moves in both spaces, limits, home, move timing and the vendors' preset
//! habits (Hikvision's 300 listed slots and special-function numbers, Axis's unique names).

use std::net::SocketAddr;
use std::time::Duration;

use mock_devices::{AuthMode, DeviceConfig, MockDevice, Persona};

use crate::support::*;

const GENERIC: &str = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
const SPHERICAL: &str = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalPositionSpace";
const ZOOM: &str = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace";

fn profile(token: &str) -> String {
    format!("<m:ProfileToken>{token}</m:ProfileToken>")
}

fn absolute(profile_token: &str, space: &str, x: f64, y: f64, z: f64) -> String {
    format!(
        "{}<m:Position><t:PanTilt x=\"{x}\" y=\"{y}\" space=\"{space}\"/><t:Zoom x=\"{z}\" space=\"{ZOOM}\"/></m:Position>",
        profile(profile_token)
    )
}

/// (x, y, zoom) of the preset `token` in a GetPresets answer.
fn preset_position(resp: &HttpResponse, token: &str) -> Option<(f64, f64, f64)> {
    let text = resp.text();
    let start = text.find(&format!("token=\"{token}\""))?;
    let end = text[start..].find("</tptz:Preset>")? + start;
    let part = &text[start..end];
    let xs = attrs(part, "PanTilt", "x");
    let ys = attrs(part, "PanTilt", "y");
    let zs = attrs(part, "Zoom", "x");
    Some((
        xs.first()?.parse().ok()?,
        ys.first()?.parse().ok()?,
        zs.first()?.parse().ok()?,
    ))
}

fn preset_name(resp: &HttpResponse, token: &str) -> Option<String> {
    let text = resp.text();
    let start = text.find(&format!("token=\"{token}\""))?;
    let end = text[start..].find("</tptz:Preset>")? + start;
    texts(&text[start..end], "Name").into_iter().next()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Generic coordinates by the calibration formulas, computed here independently.
fn generic(pan: f64, tilt: f64, hfov: f64, cal: (f64, f64, f64, f64, f64, f64)) -> (f64, f64, f64) {
    let (pan0, pan1, tilt0, tilt1, n, wide) = cal;
    let x = (pan - pan0) / (pan1 - pan0) * 2.0 - 1.0;
    let y = (tilt - tilt0) / (tilt1 - tilt0) * 2.0 - 1.0;
    let m = (wide / 2.0).to_radians().tan() / (hfov / 2.0).to_radians().tan();
    (x, y, (m - 1.0) / (n - 1.0))
}

const HIK: (f64, f64, f64, f64, f64, f64) = (0.0, 360.0, -15.0, 90.0, 25.0, 57.6);

/// The pan/tilt MoveStatus of a GetStatus answer.
fn move_status(r: &HttpResponse) -> String {
    r.texts("PanTilt").last().cloned().unwrap_or_default()
}

async fn status(s: &Services, profile_token: &str) -> HttpResponse {
    let r = s.ptz("GetStatus", &profile(profile_token)).await;
    r.assert_ok();
    r
}

#[tokio::test]
async fn hikvision_lists_300_slots_with_the_integrators_presets_in_generic_coordinates() {
    let dev = open_device("hikvision-ds2de4425iw").await;
    let s = Services::new(&dev);
    let presets = s.ptz("GetPresets", &profile("Profile_1")).await;
    presets.assert_ok();
    let tokens = attrs(&presets.text(), "Preset", "token");
    assert_eq!(tokens.len(), 300, "the 300 factory preset slots quirk");
    assert_eq!(preset_name(&presets, "1").as_deref(), Some("Main Gate"));
    assert_eq!(preset_name(&presets, "10").as_deref(), Some("Roof"));
    assert_eq!(preset_name(&presets, "6").as_deref(), Some("Preset 6"));
    assert_eq!(preset_name(&presets, "33").as_deref(), Some("Auto-flip"));
    assert_eq!(
        preset_position(&presets, "33"),
        None,
        "special functions have no position"
    );
    let (x, y, z) = preset_position(&presets, "1").unwrap();
    let want = generic(90.0, 30.0, 20.0, HIK);
    assert!(
        close(x, -0.5) && close(y, want.1) && close(z, want.2),
        "{x} {y} {z}"
    );
    assert!(close(z, 0.0883) || (z - 0.0883).abs() < 1e-3);
    // An empty slot points at pan 0, tilt 0, wide.
    let (x, y, z) = preset_position(&presets, "7").unwrap();
    let want = generic(0.0, 0.0, 57.6, HIK);
    assert!(close(x, -1.0) && close(y, want.1) && close(z, 0.0));
    // The unit starts at preset 1, its home.
    let st = status(&s, "Profile_1").await;
    assert!(close(
        attrs(&st.text(), "PanTilt", "x")[0].parse().unwrap(),
        -0.5
    ));
    assert_eq!(move_status(&st), "IDLE");
}

#[tokio::test]
async fn set_preset_after_absolute_move_stores_the_moved_position() {
    let dev = open_device("hikvision-ds2de4425iw").await;
    let s = Services::new(&dev);
    s.ptz(
        "AbsoluteMove",
        &absolute("Profile_1", GENERIC, 0.25, -0.5, 0.3),
    )
    .await
    .assert_ok();
    let set = s
        .ptz(
            "SetPreset",
            &format!(
                "{}<m:PresetName>Gate B</m:PresetName>",
                profile("Profile_1")
            ),
        )
        .await;
    set.assert_ok();
    // The lowest slot nobody has set.
    assert_eq!(set.first("PresetToken"), "6");
    let presets = s.ptz("GetPresets", &profile("Profile_2")).await;
    assert_eq!(preset_name(&presets, "6").as_deref(), Some("Gate B"));
    assert_eq!(preset_position(&presets, "6"), Some((0.25, -0.5, 0.3)));

    // Overwrite preset 1 in place, keeping its number and name.
    s.ptz(
        "AbsoluteMove",
        &absolute("Profile_1", GENERIC, -0.75, 0.1, 0.0),
    )
    .await
    .assert_ok();
    s.ptz(
        "SetPreset",
        &format!("{}<m:PresetToken>1</m:PresetToken>", profile("Profile_1")),
    )
    .await
    .assert_ok();
    let presets = s.ptz("GetPresets", &profile("Profile_1")).await;
    assert_eq!(preset_name(&presets, "1").as_deref(), Some("Main Gate"));
    assert_eq!(preset_position(&presets, "1"), Some((-0.75, 0.1, 0.0)));

    // GotoPreset returns there.
    s.ptz(
        "GotoPreset",
        &format!("{}<m:PresetToken>6</m:PresetToken>", profile("Profile_1")),
    )
    .await
    .assert_ok();
    let st = status(&s, "Profile_1").await;
    assert_eq!(attrs(&st.text(), "PanTilt", "x"), ["0.25"]);
    assert_eq!(attrs(&st.text(), "Zoom", "x"), ["0.3"]);

    // Removing a preset empties its slot again.
    s.ptz(
        "RemovePreset",
        &format!("{}<m:PresetToken>6</m:PresetToken>", profile("Profile_1")),
    )
    .await
    .assert_ok();
    let presets = s.ptz("GetPresets", &profile("Profile_1")).await;
    assert_eq!(attrs(&presets.text(), "Preset", "token").len(), 300);
    assert_eq!(preset_name(&presets, "6").as_deref(), Some("Preset 6"));
    s.ptz(
        "RemovePreset",
        &format!("{}<m:PresetToken>6</m:PresetToken>", profile("Profile_1")),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoToken"]);
}

#[tokio::test]
async fn special_function_numbers_and_unknown_tokens_are_refused() {
    let dev = open_device("hikvision-ds2de4425iw").await;
    let s = Services::new(&dev);
    s.ptz(
        "SetPreset",
        &format!("{}<m:PresetToken>33</m:PresetToken>", profile("Profile_1")),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidPresetName"]);
    s.ptz(
        "SetPreset",
        &format!("{}<m:PresetToken>999</m:PresetToken>", profile("Profile_1")),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoToken"]);
    s.ptz(
        "SetPreset",
        &format!(
            "{}<m:PresetName>{}</m:PresetName>",
            profile("Profile_1"),
            "x".repeat(33)
        ),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidPresetName"]);
    // Hikvision allows duplicate names (hikvision/GetPresets-onvifnvt-ds2df7276.xml has two
    // "preset 1").
    s.ptz(
        "SetPreset",
        &format!(
            "{}<m:PresetName>Main Gate</m:PresetName>",
            profile("Profile_1")
        ),
    )
    .await
    .assert_ok();
    s.ptz("GetPresets", &profile("nope"))
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "NoProfile"]);
}

#[tokio::test]
async fn set_preset_beyond_the_maximum_is_too_many_presets() {
    let dev = open_device("axis-q6135-le").await;
    let s = Services::new(&dev);
    // Three presets exist; MaximumNumberOfPresets is 256.
    for i in 0..253 {
        let r = s
            .ptz(
                "SetPreset",
                &format!(
                    "{}<m:PresetName>p{i}</m:PresetName>",
                    profile("profile_1_h264")
                ),
            )
            .await;
        r.assert_ok();
    }
    s.ptz(
        "SetPreset",
        &format!(
            "{}<m:PresetName>one more</m:PresetName>",
            profile("profile_1_h264")
        ),
    )
    .await
    .assert_fault(500, &["Receiver", "Action", "TooManyPresets"]);
    let presets = s.ptz("GetPresets", &profile("profile_1_h264")).await;
    assert_eq!(attrs(&presets.text(), "Preset", "token").len(), 256);
    // Updating an existing one is still fine at the limit.
    s.ptz(
        "SetPreset",
        &format!(
            "{}<m:PresetToken>2</m:PresetToken>",
            profile("profile_1_h264")
        ),
    )
    .await
    .assert_ok();
}

#[tokio::test]
async fn axis_refuses_a_second_preset_with_the_same_name() {
    let dev = open_device("axis-q6135-le").await;
    let s = Services::new(&dev);
    s.ptz(
        "SetPreset",
        &format!(
            "{}<m:PresetName>Plaza</m:PresetName>",
            profile("profile_1_h264")
        ),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "PresetExist"]);
    // Renaming a preset to its own name is not a clash.
    s.ptz(
        "SetPreset",
        &format!(
            "{}<m:PresetName>Plaza</m:PresetName><m:PresetToken>2</m:PresetToken>",
            profile("profile_1_h264")
        ),
    )
    .await
    .assert_ok();
    let made = s
        .ptz(
            "SetPreset",
            &format!(
                "{}<m:PresetName>Loading</m:PresetName>",
                profile("profile_1_h264")
            ),
        )
        .await;
    assert_eq!(made.first("PresetToken"), "4");
}

#[tokio::test]
async fn absolute_moves_outside_the_spaces_are_refused_and_change_nothing() {
    let dev = open_device("hikvision-ds2de4425iw").await;
    let s = Services::new(&dev);
    for (body, codes) in [
        (
            absolute("Profile_1", GENERIC, 1.5, 0.0, 0.0),
            &["Sender", "InvalidArgVal", "InvalidPosition"][..],
        ),
        (
            absolute("Profile_1", GENERIC, 0.0, -1.01, 0.0),
            &["Sender", "InvalidArgVal", "InvalidPosition"],
        ),
        (
            absolute("Profile_1", GENERIC, 0.0, 0.0, 1.2),
            &["Sender", "InvalidArgVal", "InvalidPosition"],
        ),
        // No degrees space on this Hikvision.
        (
            absolute("Profile_1", SPHERICAL, 90.0, 10.0, 0.0),
            &["Sender", "InvalidArgVal", "SpaceNotSupported"],
        ),
    ] {
        s.ptz("AbsoluteMove", &body).await.assert_fault(400, codes);
    }
    let st = status(&s, "Profile_1").await;
    assert!(close(
        attrs(&st.text(), "PanTilt", "x")[0].parse().unwrap(),
        -0.5
    ));
    // A profile without PTZ.
    s.media(
        "CreateProfile",
        "<m:Name>plain</m:Name><m:Token>plain</m:Token>",
    )
    .await
    .assert_ok();
    s.ptz("AbsoluteMove", &absolute("plain", GENERIC, 0.0, 0.0, 0.0))
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "NoPTZProfile"]);
    // A fixed camera has no PTZ service at all.
    let fixed = open_device("hikvision-ds2cd2143g2").await;
    call_at(fixed.addr(), "/onvif/PTZ", TPTZ, "GetNodes", "")
        .await
        .assert_fault(500, &["Receiver", "ActionNotSupported"]);
}

#[tokio::test]
async fn axis_reports_one_position_consistently_in_generic_and_degrees() {
    let dev = open_device("axis-q6135-le").await;
    let s = Services::new(&dev);
    let nodes = s.ptz("GetNodes", "").await;
    nodes.assert_ok();
    assert!(nodes.text().contains(SPHERICAL));
    assert_eq!(nodes.first("MaximumNumberOfPresets"), "256");
    // Move in degrees, read back in the default (generic) space.
    s.ptz(
        "AbsoluteMove",
        &absolute("profile_1_h264", SPHERICAL, 45.0, -30.0, 0.5),
    )
    .await
    .assert_ok();
    let st = status(&s, "profile_1_h264").await;
    let x: f64 = attrs(&st.text(), "PanTilt", "x")[0].parse().unwrap();
    let y: f64 = attrs(&st.text(), "PanTilt", "y")[0].parse().unwrap();
    assert!(close(x, 0.25), "{x}");
    assert!(close(y, (-30.0 + 90.0) / 110.0 * 2.0 - 1.0), "{y}");
    assert_eq!(attrs(&st.text(), "PanTilt", "space"), [GENERIC]);
    let set = s
        .ptz(
            "SetPreset",
            &format!(
                "{}<m:PresetName>Degrees</m:PresetName>",
                profile("profile_1_h264")
            ),
        )
        .await;
    let degrees_token = set.first("PresetToken");
    // Then a move in generic coordinates, stored as another preset.
    s.ptz(
        "AbsoluteMove",
        &absolute("profile_1_h264", GENERIC, -0.5, 0.5, 0.0),
    )
    .await
    .assert_ok();
    let set = s
        .ptz(
            "SetPreset",
            &format!(
                "{}<m:PresetName>Generic</m:PresetName>",
                profile("profile_1_h264")
            ),
        )
        .await;
    let generic_token = set.first("PresetToken");
    // Switch the configuration's default space to degrees: both presets read back in degrees.
    let config = format!(
        "<m:PTZConfiguration token=\"0\"><t:Name>user0</t:Name><t:UseCount>3</t:UseCount><t:NodeToken>1</t:NodeToken>\
         <t:DefaultAbsolutePantTiltPositionSpace>{SPHERICAL}</t:DefaultAbsolutePantTiltPositionSpace></m:PTZConfiguration>\
         <m:ForcePersistence>true</m:ForcePersistence>"
    );
    s.ptz("SetConfiguration", &config).await.assert_ok();
    let presets = s.ptz("GetPresets", &profile("profile_1_h264")).await;
    let (pan, tilt, zoom) = preset_position(&presets, &degrees_token).unwrap();
    assert!(
        close(pan, 45.0) && close(tilt, -30.0) && close(zoom, 0.5),
        "{pan} {tilt}"
    );
    let (pan, tilt, _) = preset_position(&presets, &generic_token).unwrap();
    assert!(close(pan, -90.0) && close(tilt, -7.5), "{pan} {tilt}");
    let st = status(&s, "profile_1_h264").await;
    assert_eq!(attrs(&st.text(), "PanTilt", "space"), [SPHERICAL]);
    // Degrees outside the unit's range.
    s.ptz(
        "AbsoluteMove",
        &absolute("profile_1_h264", SPHERICAL, 0.0, 45.0, 0.0),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "InvalidPosition"]);
    let configs = s.ptz("GetConfigurations", "").await;
    assert_eq!(
        configs.first("DefaultAbsolutePantTiltPositionSpace"),
        SPHERICAL
    );
}

#[tokio::test]
async fn home_position_is_set_and_recalled() {
    let dev = open_device("hikvision-ds2de4425iw").await;
    let s = Services::new(&dev);
    s.ptz(
        "AbsoluteMove",
        &absolute("Profile_1", GENERIC, 0.5, 0.5, 0.5),
    )
    .await
    .assert_ok();
    s.ptz("GotoHomePosition", &profile("Profile_1"))
        .await
        .assert_ok();
    let st = status(&s, "Profile_1").await;
    assert!(close(
        attrs(&st.text(), "PanTilt", "x")[0].parse().unwrap(),
        -0.5
    ));
    s.ptz(
        "AbsoluteMove",
        &absolute("Profile_1", GENERIC, 0.5, 0.5, 0.5),
    )
    .await
    .assert_ok();
    s.ptz("SetHomePosition", &profile("Profile_1"))
        .await
        .assert_ok();
    s.ptz(
        "AbsoluteMove",
        &absolute("Profile_1", GENERIC, 0.0, 0.0, 0.0),
    )
    .await
    .assert_ok();
    s.ptz("GotoHomePosition", &profile("Profile_1"))
        .await
        .assert_ok();
    let st = status(&s, "Profile_1").await;
    assert_eq!(attrs(&st.text(), "PanTilt", "x"), ["0.5"]);
}

#[tokio::test]
async fn a_slow_move_reports_moving_and_refuses_set_preset_until_it_ends() {
    let mut persona = Persona::builtin("hikvision-ds2de4425iw").unwrap();
    persona.ptz.as_mut().unwrap().move_seconds = 0.6;
    let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let dev = MockDevice::start(DeviceConfig::new(persona, bind).auth(AuthMode::None))
        .await
        .unwrap();
    let s = Services::new(&dev);
    s.ptz(
        "AbsoluteMove",
        &absolute("Profile_1", GENERIC, 0.5, 0.0, 0.0),
    )
    .await
    .assert_ok();
    let st = status(&s, "Profile_1").await;
    assert_eq!(move_status(&st), "MOVING");
    let x: f64 = attrs(&st.text(), "PanTilt", "x")[0].parse().unwrap();
    assert!((-0.5..0.5).contains(&x), "on the way: {x}");
    s.ptz(
        "SetPreset",
        &format!("{}<m:PresetName>early</m:PresetName>", profile("Profile_1")),
    )
    .await
    .assert_fault(500, &["Receiver", "Action", "MovingPTZ"]);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let st = status(&s, "Profile_1").await;
    assert_eq!(move_status(&st), "IDLE");
    assert_eq!(attrs(&st.text(), "PanTilt", "x"), ["0.5"]);
    s.ptz(
        "SetPreset",
        &format!(
            "{}<m:PresetName>settled</m:PresetName>",
            profile("Profile_1")
        ),
    )
    .await
    .assert_ok();
}

#[tokio::test]
async fn relative_moves_wrap_pan_on_an_endless_unit_and_stop_tilt_at_the_limit() {
    let dev = open_device("hikvision-ds2de4425iw").await;
    let s = Services::new(&dev);
    s.ptz(
        "AbsoluteMove",
        &absolute("Profile_1", GENERIC, 0.9, 0.9, 0.0),
    )
    .await
    .assert_ok();
    s.ptz(
        "RelativeMove",
        &format!(
            "{}<m:Translation><t:PanTilt x=\"0.2\" y=\"0.5\"/></m:Translation>",
            profile("Profile_1")
        ),
    )
    .await
    .assert_ok();
    let st = status(&s, "Profile_1").await;
    let x: f64 = attrs(&st.text(), "PanTilt", "x")[0].parse().unwrap();
    let y: f64 = attrs(&st.text(), "PanTilt", "y")[0].parse().unwrap();
    assert!(close(x, -0.9), "{x}");
    assert!(close(y, 1.0), "{y}");
}

#[tokio::test]
async fn nodes_configurations_and_options_come_from_the_persona() {
    let dev = open_device("hikvision-ds2de4425iw").await;
    let s = Services::new(&dev);
    let nodes = s.ptz("GetNodes", "").await;
    assert_eq!(attrs(&nodes.text(), "PTZNode", "token"), ["PTZNODETOKEN"]);
    assert_eq!(nodes.first("MaximumNumberOfPresets"), "300");
    assert_eq!(nodes.first("HomeSupported"), "true");
    assert!(!nodes.text().contains(SPHERICAL));
    s.ptz("GetNode", "<m:NodeToken>other</m:NodeToken>")
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "NoEntity"]);
    let config = s
        .ptz(
            "GetConfiguration",
            "<m:PTZConfigurationToken>PTZToken</m:PTZConfigurationToken>",
        )
        .await;
    config.assert_ok();
    assert_eq!(config.first("UseCount"), "2");
    assert_eq!(config.first("DefaultPTZTimeout"), "PT300S");
    s.ptz(
        "GetConfigurationOptions",
        "<m:ConfigurationToken>nope</m:ConfigurationToken>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoConfig"]);
    // Media profiles carry the PTZ configuration in both services.
    let v1 = s.media("GetProfile", &profile("Profile_2")).await;
    assert!(
        v1.text()
            .contains("<tt:PTZConfiguration token=\"PTZToken\">")
    );
    let v2 = s.media2("GetProfiles", "<m:Type>PTZ</m:Type>").await;
    assert_eq!(attrs(&v2.text(), "PTZ", "token"), ["PTZToken", "PTZToken"]);
}

#[tokio::test]
async fn a_factory_reset_empties_the_slots_and_forgets_home() {
    let dev = open_device("hikvision-ds2de4425iw").await;
    call(
        dev.addr(),
        "SetSystemFactoryDefault",
        "<d:FactoryDefault>Hard</d:FactoryDefault>",
    )
    .await
    .assert_ok();
    wait_back(&dev, "/onvif/PTZ", TPTZ, "GetNodes")
        .await
        .assert_ok();
    let s = Services::new(&dev);
    let presets = s.ptz("GetPresets", &profile("Profile_1")).await;
    assert_eq!(attrs(&presets.text(), "Preset", "token").len(), 300);
    assert_eq!(preset_name(&presets, "1").as_deref(), Some("Preset 1"));
    s.ptz("GotoHomePosition", &profile("Profile_1"))
        .await
        .assert_fault(500, &["Receiver", "Action", "NoHomePosition"]);
}

#[tokio::test]
async fn every_ptz_persona_reports_its_presets_where_its_calibration_puts_them() {
    let mut checked = 0;
    for name in Persona::builtin_names() {
        let persona = Persona::builtin(name).unwrap();
        let (Some(spec), Some(media)) = (persona.ptz.as_ref(), persona.media.as_ref()) else {
            continue;
        };
        checked += 1;
        let dev = open_device(name).await;
        let s = Services::new(&dev);
        let nodes = s.ptz("GetNodes", "").await;
        nodes.assert_ok();
        assert_eq!(
            nodes.first("MaximumNumberOfPresets"),
            spec.node.max_presets.to_string(),
            "{name}"
        );
        assert_eq!(
            nodes.text().contains(SPHERICAL),
            spec.node.spherical,
            "{name}"
        );
        let p0 = &media
            .profiles
            .iter()
            .find(|p| p.ptz.is_some())
            .unwrap()
            .token;
        let presets = s.ptz("GetPresets", &profile(p0)).await;
        presets.assert_ok();
        let c = &spec.calibration;
        let cal = (
            c.pan[0],
            c.pan[1],
            c.tilt[0],
            c.tilt[1],
            c.optical_zoom,
            c.hfov[0],
        );
        for p in &spec.presets {
            let want = generic(p.pan, p.tilt, p.hfov.unwrap_or(c.hfov[0]), cal);
            let (x, y, z) = preset_position(&presets, &p.token).unwrap();
            assert!(
                close(x, want.0) && close(y, want.1) && close(z, want.2),
                "{name} preset {}: ({x}, {y}, {z}) vs {want:?}",
                p.token
            );
            assert_eq!(
                preset_name(&presets, &p.token).as_deref(),
                Some(p.name.as_str())
            );
        }
    }
    assert_eq!(checked, 4, "four PTZ personas");
}
