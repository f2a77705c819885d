//! Every response parser family on whatever payload an envelope holds: each parser must
//! answer with a value or a `ParseError` for any element. The calls name today's parse
//! functions; the `Operation::parse` of converted operations replaces them one by one.
#![no_main]

use camswap::onvif::media::GetProfiles;
use camswap::onvif::operation::Operation;
use camswap::onvif::{device, imaging, media, media2, ptz, recording};
use camswap::soap::envelope::{self, Reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(Reply::Payload(p)) = envelope::read(data) else {
        return;
    };
    let p = &p;
    let _ = GetProfiles::parse(p);
    let _ = device::parse_get_system_date_and_time(p);
    let _ = device::parse_get_device_information(p);
    let _ = device::parse_get_services(p);
    let _ = device::parse_get_capabilities(p);
    let _ = device::parse_get_network_interfaces(p);
    let _ = device::parse_get_network_default_gateway(p);
    let _ = device::parse_get_hostname(p);
    let _ = device::parse_get_dns(p);
    let _ = device::parse_get_ntp(p);
    let _ = device::parse_get_scopes(p);
    let _ = device::parse_get_users(p);
    let _ = media::parse_get_service_capabilities(p);
    let _ = media::parse_get_video_sources(p);
    let _ = media::parse_get_video_source_configurations(p);
    let _ = media::parse_get_video_encoder_configurations(p);
    let _ = media::parse_get_video_encoder_configuration(p);
    let _ = media::parse_get_audio_encoder_configurations(p);
    let _ = media::parse_get_video_encoder_configuration_options(p);
    let _ = media::parse_get_stream_uri(p);
    let _ = media::parse_get_snapshot_uri(p);
    let _ = media::parse_create_profile(p);
    let _ = media2::parse_get_service_capabilities(p);
    let _ = media2::parse_get_profiles(p);
    let _ = media2::parse_get_video_source_configurations(p);
    let _ = media2::parse_get_video_encoder_configurations(p);
    let _ = media2::parse_get_video_encoder_configuration_options(p);
    let _ = media2::parse_get_stream_uri(p);
    let _ = media2::parse_get_snapshot_uri(p);
    let _ = ptz::parse_get_service_capabilities(p);
    let _ = ptz::parse_get_nodes(p);
    let _ = ptz::parse_get_configurations(p);
    let _ = ptz::parse_get_configuration_options(p);
    let _ = ptz::parse_get_presets(p, "P");
    let _ = ptz::parse_get_status(p);
    let _ = ptz::parse_set_preset(p);
    let _ = recording::parse_get_service_capabilities(p);
    let _ = recording::parse_get_recordings(p);
    let _ = recording::parse_get_recording_configuration(p);
    let _ = recording::parse_get_recording_jobs(p);
    let _ = recording::parse_get_recording_options(p);
    let _ = recording::parse_create_recording_job(p);
    let _ = imaging::parse_get_imaging_settings(p);
    let _ = imaging::parse_get_options(p);
});
