//! Imaging: settings per video source from the persona, changes within the options read
//! back, and values outside them refused.

use mock_devices::Persona;

use crate::support::*;

fn source(token: &str) -> String {
    format!("<m:VideoSourceToken>{token}</m:VideoSourceToken>")
}

#[tokio::test]
async fn every_persona_reports_its_imaging_settings_and_options() {
    for name in Persona::builtin_names() {
        let persona = Persona::builtin(name).unwrap();
        let (Some(spec), Some(media)) = (persona.imaging.as_ref(), persona.media.as_ref()) else {
            continue;
        };
        let dev = open_device(name).await;
        let s = Services::new(&dev);
        let token = &media.video_sources[0].token;
        let settings = s.imaging("GetImagingSettings", &source(token)).await;
        settings.assert_ok();
        if let Some(b) = spec.settings.brightness {
            assert_eq!(
                settings.first("Brightness").parse::<f64>().unwrap(),
                b,
                "{name}"
            );
        }
        if let Some(ir) = &spec.settings.ir_cut {
            assert_eq!(&settings.first("IrCutFilter"), ir, "{name}");
        }
        let options = s.imaging("GetOptions", &source(token)).await;
        options.assert_ok();
        assert_eq!(
            options.texts("IrCutFilterModes"),
            spec.options.ir_cut,
            "{name}"
        );
    }
}

#[tokio::test]
async fn set_imaging_settings_changes_only_what_it_names_within_the_options() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    s.imaging(
        "SetImagingSettings",
        &format!(
            "{}<m:ImagingSettings><t:Brightness>70</t:Brightness><t:IrCutFilter>ON</t:IrCutFilter></m:ImagingSettings><m:ForcePersistence>true</m:ForcePersistence>",
            source("VideoSource_1")
        ),
    )
    .await
    .assert_ok();
    let after = s
        .imaging("GetImagingSettings", &source("VideoSource_1"))
        .await;
    assert_eq!(after.first("Brightness"), "70");
    assert_eq!(after.first("IrCutFilter"), "ON");
    assert_eq!(after.first("Contrast"), "50", "untouched values stay");
    for (settings, why) in [
        ("<t:Brightness>140</t:Brightness>", "out of range"),
        ("<t:IrCutFilter>DUSK</t:IrCutFilter>", "unknown mode"),
        (
            "<t:Focus><t:AutoFocusMode>MANUAL</t:AutoFocusMode></t:Focus>",
            "a fixed lens has no focus",
        ),
    ] {
        let r = s
            .imaging(
                "SetImagingSettings",
                &format!(
                    "{}<m:ImagingSettings>{settings}</m:ImagingSettings>",
                    source("VideoSource_1")
                ),
            )
            .await;
        r.assert_fault(400, &["Sender", "InvalidArgVal", "SettingsInvalid"]);
        assert!(!r.text().is_empty(), "{why}");
    }
    s.imaging("GetImagingSettings", &source("VideoSource_9"))
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "NoSource"]);
    let unchanged = s
        .imaging("GetImagingSettings", &source("VideoSource_1"))
        .await;
    assert_eq!(unchanged.first("Brightness"), "70");
}

#[tokio::test]
async fn a_factory_reset_restores_the_default_image() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    call(
        dev.addr(),
        "SetSystemFactoryDefault",
        "<d:FactoryDefault>Soft</d:FactoryDefault>",
    )
    .await
    .assert_ok();
    let back = wait_back(&dev, "/onvif/Imaging", TIMG, "GetServiceCapabilities").await;
    back.assert_ok();
    let s = Services::new(&dev);
    let settings = s
        .imaging("GetImagingSettings", &source("VideoSource_1"))
        .await;
    assert_eq!(settings.first("Brightness"), "50");
    // WideDynamicRange holds Mode then Level: "OFF" then "50".
    assert_eq!(settings.first("WideDynamicRange"), "OFF50", "WDR back off");
}
