//! Every response parser, through the typed operation API, on whatever payload an envelope
//! holds: each operation's `parse` (the response-element check, then its reader) and its
//! `read` straight on the payload (so every reader sees every fuzzed element, whatever its
//! name) must answer with a value or a `ParseError`, never a panic.
#![no_main]

use camswap::onvif::operation::{Cursor, Operation};
use camswap::onvif::{device, imaging, media, media2, ptz, recording};
use camswap::soap::envelope::{self, Reply};
use camswap::soap::xml::Element;
use libfuzzer_sys::fuzz_target;

fn both<O: Operation>(op: O, payload: &Element) {
    let _ = op.parse(payload);
    let _ = op.read(Cursor::new(payload, "fuzz"));
}

macro_rules! every {
    ($p:expr; $($op:expr),* $(,)?) => {$( both($op, $p); )*};
}

fuzz_target!(|data: &[u8]| {
    let Ok(Reply::Payload(p)) = envelope::read(data) else {
        return;
    };
    let p = &p;
    every!(p;
        device::GetSystemDateAndTime,
        device::GetDeviceInformation,
        device::GetServices::default(),
        device::GetCapabilities::default(),
        device::GetNetworkInterfaces,
        device::GetNetworkDefaultGateway,
        device::GetHostname,
        device::GetDNS,
        device::GetNTP,
        device::GetScopes,
        device::GetUsers,
        media::GetServiceCapabilities,
        media::GetProfiles,
        media::GetVideoSources,
        media::GetVideoSourceConfigurations,
        media::GetVideoEncoderConfigurations,
        media::GetVideoEncoderConfiguration::default(),
        media::GetVideoEncoderConfigurationOptions::default(),
        media::GetAudioEncoderConfigurations,
        media::GetAudioEncoderConfigurationOptions::default(),
        media::GetStreamUri::default(),
        media::GetSnapshotUri::default(),
        media::CreateProfile::default(),
        media2::GetServiceCapabilities,
        media2::GetVideoSourceConfigurations::default(),
        media2::GetVideoEncoderConfigurations::default(),
        media2::GetVideoEncoderConfigurationOptions::default(),
        media2::GetAudioEncoderConfigurationOptions::default(),
        media2::GetSnapshotUri::default(),
        media2::GetStreamUri::default(),
        media2::GetProfiles::default(),
        media2::CreateProfile::default(),
        ptz::GetServiceCapabilities,
        ptz::GetNodes,
        ptz::GetConfigurations,
        ptz::GetConfigurationOptions::default(),
        ptz::GetStatus::default(),
        ptz::SetPreset::default(),
        ptz::GetPresets { profile: "P".into() },
        recording::GetServiceCapabilities,
        recording::GetRecordings,
        recording::GetRecordingConfiguration::default(),
        recording::GetTrackConfiguration::default(),
        recording::GetRecordingJobs,
        recording::GetRecordingOptions::default(),
        recording::GetRecordingJobConfiguration::default(),
        recording::CreateRecording::default(),
        recording::CreateTrack::default(),
        recording::CreateRecordingJob::default(),
        imaging::GetImagingSettings::default(),
        imaging::GetOptions::default(),
    );
});
