//! Which service answers an operation: dispatch on the Body element's namespace, limited to
//! the services the persona lists (anything else is `ter:ActionNotSupported`, as on a device
//! without that service).

use crate::device_service::{self, Access, Ctx};
use crate::persona::{Persona, ServiceKind};
use crate::soap::{Fault, ns};
use crate::xml::Node;
use crate::{imaging_service, media_service, media2_service, ptz_service, recording_service};

fn kind_of(namespace: &str) -> Option<ServiceKind> {
    Some(match namespace {
        ns::TDS => ServiceKind::Device,
        ns::TRT => ServiceKind::Media,
        ns::TR2 => ServiceKind::Media2,
        ns::TPTZ => ServiceKind::Ptz,
        ns::TRC => ServiceKind::Recording,
        ns::TIMG => ServiceKind::Imaging,
        _ => return None,
    })
}

/// Access class of `{namespace}operation` on a device of `persona`; `None` when the device
/// does not offer it.
pub fn access(persona: &Persona, namespace: &str, operation: &str) -> Option<Access> {
    let kind = kind_of(namespace)?;
    persona.service(kind)?;
    match kind {
        ServiceKind::Device => device_service::access(operation),
        ServiceKind::Media => media_service::access(operation),
        ServiceKind::Media2 => media2_service::access(operation),
        ServiceKind::Ptz => ptz_service::access(operation),
        ServiceKind::Recording => recording_service::access(operation),
        ServiceKind::Imaging => imaging_service::access(operation),
    }
}

/// Run `{namespace}operation`; call only after [`access`] said the device offers it.
pub fn handle(
    namespace: &str,
    operation: &str,
    req: &Node,
    ctx: &mut Ctx<'_>,
) -> Result<String, Fault> {
    match kind_of(namespace) {
        Some(ServiceKind::Device) => device_service::handle(operation, req, ctx),
        Some(ServiceKind::Media) => media_service::handle(operation, req, ctx),
        Some(ServiceKind::Media2) => media2_service::handle(operation, req, ctx),
        Some(ServiceKind::Ptz) => ptz_service::handle(operation, req, ctx),
        Some(ServiceKind::Recording) => recording_service::handle(operation, req, ctx),
        Some(ServiceKind::Imaging) => imaging_service::handle(operation, req, ctx),
        _ => Err(Fault::action_not_supported(format!(
            "{{{namespace}}}{operation} is not supported by this device"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use super::*;
    use crate::soap;
    use crate::state::DeviceState;

    /// Requests of every new service with arguments, as (namespace, payload).
    fn requests() -> Vec<(&'static str, String)> {
        let tt = ns::TT;
        let pos = format!(
            r#"<p:ProfileToken>Profile_1</p:ProfileToken><p:Position><t:PanTilt xmlns:t="{tt}" x="0.5" y="-0.25" space="http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"/><t:Zoom xmlns:t="{tt}" x="0.1"/></p:Position>"#
        );
        let vec1 = format!(
            r#"<p:Configuration token="VideoEncoderToken_1" xmlns:t="{tt}"><t:Name>n</t:Name><t:UseCount>1</t:UseCount><t:Encoding>H264</t:Encoding><t:Resolution><t:Width>1920</t:Width><t:Height>1080</t:Height></t:Resolution><t:Quality>3</t:Quality><t:RateControl><t:FrameRateLimit>25</t:FrameRateLimit><t:EncodingInterval>1</t:EncodingInterval><t:BitrateLimit>4096</t:BitrateLimit></t:RateControl><t:H264><t:GovLength>50</t:GovLength><t:H264Profile>Main</t:H264Profile></t:H264><t:Multicast><t:Address><t:Type>IPv4</t:Type><t:IPv4Address>0.0.0.0</t:IPv4Address></t:Address><t:Port>0</t:Port><t:TTL>1</t:TTL><t:AutoStart>false</t:AutoStart></t:Multicast><t:SessionTimeout>PT60S</t:SessionTimeout></p:Configuration><p:ForcePersistence>true</p:ForcePersistence>"#
        );
        let vec2 = format!(
            r#"<p:Configuration token="VideoEncoderToken_1" GovLength="50" Profile="Main" xmlns:t="{tt}"><t:Name>n</t:Name><t:UseCount>1</t:UseCount><t:Encoding>H265</t:Encoding><t:Resolution><t:Width>1920</t:Width><t:Height>1080</t:Height></t:Resolution><t:RateControl ConstantBitRate="true"><t:FrameRateLimit>12.5</t:FrameRateLimit><t:BitrateLimit>2048</t:BitrateLimit></t:RateControl><t:Quality>3</t:Quality></p:Configuration>"#
        );
        let job = format!(
            r#"<p:JobConfiguration xmlns:t="{tt}"><t:RecordingToken>Recording_101</t:RecordingToken><t:Mode>Active</t:Mode><t:Priority>2</t:Priority><t:Source><t:SourceToken Type="http://www.onvif.org/ver10/schema/Profile"><t:Token>Profile_2</t:Token></t:SourceToken><t:Tracks><t:SourceTag>a</t:SourceTag><t:Destination>Video101</t:Destination></t:Tracks></t:Source></p:JobConfiguration>"#
        );
        let imaging = format!(
            r#"<p:VideoSourceToken>VideoSource_1</p:VideoSourceToken><p:ImagingSettings xmlns:t="{tt}"><t:BacklightCompensation><t:Mode>ON</t:Mode></t:BacklightCompensation><t:Brightness>60</t:Brightness><t:WideDynamicRange><t:Mode>ON</t:Mode><t:Level>20</t:Level></t:WideDynamicRange></p:ImagingSettings>"#
        );
        vec![
            (ns::TRT, format!("<p:SetVideoEncoderConfiguration>{vec1}</p:SetVideoEncoderConfiguration>")),
            (ns::TRT, "<p:GetVideoEncoderConfigurationOptions><p:ProfileToken>Profile_1</p:ProfileToken></p:GetVideoEncoderConfigurationOptions>".into()),
            (ns::TRT, format!(r#"<p:GetStreamUri><p:StreamSetup xmlns:t="{tt}"><t:Stream>RTP-Unicast</t:Stream><t:Transport><t:Protocol>RTSP</t:Protocol></t:Transport></p:StreamSetup><p:ProfileToken>Profile_1</p:ProfileToken></p:GetStreamUri>"#)),
            (ns::TRT, "<p:CreateProfile><p:Name>x</p:Name><p:Token>t</p:Token></p:CreateProfile>".into()),
            (ns::TR2, format!("<p:SetVideoEncoderConfiguration>{vec2}</p:SetVideoEncoderConfiguration>")),
            (ns::TR2, "<p:CreateProfile><p:Name>x</p:Name><p:Configuration><p:Type>VideoSource</p:Type></p:Configuration><p:Configuration><p:Type>PTZ</p:Type><p:Token>PTZToken</p:Token></p:Configuration></p:CreateProfile>".into()),
            (ns::TR2, "<p:GetProfiles><p:Type>All</p:Type></p:GetProfiles>".into()),
            (ns::TPTZ, format!("<p:AbsoluteMove>{pos}</p:AbsoluteMove>")),
            (ns::TPTZ, format!(
                "<p:RelativeMove>{}</p:RelativeMove>",
                pos.replace("Position>", "Translation>").replace(
                    r#" space="http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace""#,
                    "",
                )
            )),
            (ns::TPTZ, "<p:SetPreset><p:ProfileToken>Profile_1</p:ProfileToken><p:PresetName>n</p:PresetName><p:PresetToken>7</p:PresetToken></p:SetPreset>".into()),
            (ns::TPTZ, "<p:GotoPreset><p:ProfileToken>Profile_1</p:ProfileToken><p:PresetToken>33</p:PresetToken></p:GotoPreset>".into()),
            (ns::TRC, format!("<p:CreateRecordingJob>{job}</p:CreateRecordingJob>")),
            (ns::TRC, format!(r#"<p:SetRecordingConfiguration><p:RecordingToken>Recording_101</p:RecordingToken><p:RecordingConfiguration xmlns:t="{tt}"><t:Source><t:Name>n</t:Name></t:Source><t:Content>c</t:Content><t:MaximumRetentionTime>P1DT2H</t:MaximumRetentionTime></p:RecordingConfiguration></p:SetRecordingConfiguration>"#)),
            (ns::TIMG, format!("<p:SetImagingSettings>{imaging}</p:SetImagingSettings>")),
        ]
    }

    fn run(
        persona: &Persona,
        state: &mut DeviceState,
        namespace: &str,
        payload: &str,
    ) -> Option<Result<String, Fault>> {
        let doc = format!(
            r#"<s:Envelope xmlns:s="{}"><s:Body><x xmlns:p="{namespace}">{payload}</x></s:Body></s:Envelope>"#,
            ns::ENV
        );
        // The payload sits in a wrapper so a cut keeps the namespace declaration in scope.
        let req = soap::parse_request(doc.as_bytes()).ok()?;
        let op = req.payload.children.first()?;
        let ns_uri = op.ns.clone().unwrap_or_default();
        access(persona, &ns_uri, &op.name)?;
        let mut ctx = Ctx {
            persona,
            state,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            effects: Vec::new(),
            dhcp: None,
        };
        Some(handle(&ns_uri, &op.name, op, &mut ctx))
    }

    #[test]
    fn the_fuzzing_seeds_are_answered_on_the_ptz_persona() {
        let persona = Persona::builtin("hikvision-ds2de4425iw").unwrap();
        let mut state = DeviceState::new(&persona, Some(Ipv4Addr::LOCALHOST), None, false, 0);
        for (namespace, payload) in requests() {
            let answer = run(&persona, &mut state, namespace, &payload).expect("a known operation");
            match answer {
                Ok(body) => assert!(body.contains("Response"), "{body}"),
                // The persona's one job slot is taken.
                Err(f) if payload.contains("CreateRecordingJob") => {
                    assert_eq!(f.subcodes, ["ter:Action", "ter:MaxRecordingJobs"]);
                }
                Err(f) => panic!("{payload}: {f:?}"),
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn mangled_service_requests_never_panic(
            which in 0usize..14,
            cut in 0usize..900,
            junk in "[<>&;:\"'a-zA-Z0-9/=. -]{0,10}",
            persona_index in 0usize..10,
        ) {
            let names = Persona::builtin_names();
            let persona = Persona::builtin(names[persona_index % names.len()]).unwrap();
            let mut state = DeviceState::new(&persona, Some(Ipv4Addr::LOCALHOST), None, false, 0);
            let all = requests();
            let (namespace, payload) = &all[which % all.len()];
            let mut cut = cut.min(payload.len());
            while !payload.is_char_boundary(cut) {
                cut -= 1;
            }
            let mangled = format!("{}{junk}{}", &payload[..cut], &payload[cut..]);
            let _ = run(&persona, &mut state, namespace, &mangled);
        }

        #[test]
        fn odd_numbers_in_service_requests_never_panic(
            which in 0usize..14,
            value in proptest::prop_oneof![
                proptest::strategy::Just("NaN".to_string()),
                proptest::strategy::Just("-INF".to_string()),
                proptest::strategy::Just("1e309".to_string()),
                proptest::strategy::Just("-0".to_string()),
                proptest::strategy::Just("99999999999999999999".to_string()),
                proptest::strategy::Just("-2147483649".to_string()),
                "-?[0-9]{1,12}(\\.[0-9]{1,4})?",
            ],
        ) {
            let persona = Persona::builtin("hikvision-ds2de4425iw").unwrap();
            let mut state = DeviceState::new(&persona, Some(Ipv4Addr::LOCALHOST), None, false, 0);
            let all = requests();
            let (namespace, payload) = &all[which % all.len()];
            // Swap every number in the request for the odd one.
            let mut out = String::new();
            let mut in_number = false;
            for c in payload.chars() {
                if c.is_ascii_digit() {
                    if !in_number {
                        out.push_str(&value);
                        in_number = true;
                    }
                } else {
                    in_number = false;
                    out.push(c);
                }
            }
            let _ = run(&persona, &mut state, namespace, &out);
        }
    }
}
