//! The Media2 section: profiles with every configuration (the only place a device can say
//! H.265), merged into the ver10 profiles by token, and stream URIs ver10 could not give.

use super::Reader;
use super::media::{encoder_tokens, fill_stripped, stripped};
use super::policy::Stop;
use crate::model::{EncoderOptions, MediaProfile, MediaService, VideoEncoder};
use crate::onvif::media2::{self, ConfigurationType, StreamProtocol};

impl Reader<'_> {
    pub(super) async fn media2(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(media2::SERVICE) {
            return Ok(());
        }
        let all = media2::GetProfiles {
            token: None,
            types: vec![ConfigurationType::All],
        };
        let Some(mut profiles) = self.send(&all, None).await? else {
            return Ok(());
        };
        let encoders = self
            .send(&media2::GetVideoEncoderConfigurations::default(), None)
            .await?
            .unwrap_or_default();
        for p in &mut profiles {
            fill_stripped(p, &[], &encoders);
        }
        for (profile, encoder) in encoder_tokens(&profiles) {
            let op = media2::GetVideoEncoderConfigurationOptions {
                configuration: Some(encoder),
                profile: Some(profile.clone()),
            };
            if let Some(options) = self.send(&op, Some(&format!("profile {profile}"))).await? {
                if let Some(p) = profiles.iter_mut().find(|p| p.token == profile) {
                    p.encoder_options = options;
                }
            }
        }
        merge_media2(&mut self.snap().profiles, profiles);
        // Media2 stream URIs only for profiles ver10 could not give one for: the URI is the
        // same stream either way.
        let missing: Vec<String> = encoder_tokens(&self.out.snapshot.profiles)
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| {
                self.out
                    .snapshot
                    .profiles
                    .iter()
                    .any(|q| &q.token == p && q.stream_uri.is_none())
            })
            .collect();
        for profile in missing {
            let op = media2::GetStreamUri {
                profile: profile.clone(),
                protocol: StreamProtocol::Rtsp,
            };
            if let Some(uri) = self.send(&op, Some(&format!("profile {profile}"))).await? {
                let uri = self.reached(&uri);
                self.profile_mut(&profile).stream_uri = Some(uri);
            }
        }
        Ok(())
    }
}

/// Merges Media2 profiles into the ver10 ones by token. A profile both report is
/// [`MediaService::Both`]; Media2's encoder values win (only Media2 can say H.265), with the
/// ver10-only fields (multicast, session timeout, encoding interval) kept from ver10, which
/// apply needs for ver10 writes. Media2 encoder options win per codec and add the codecs ver10
/// cannot express. Profiles only Media2 reports are appended.
fn merge_media2(profiles: &mut Vec<MediaProfile>, media2: Vec<MediaProfile>) {
    for q in media2 {
        let Some(p) = profiles.iter_mut().find(|p| p.token == q.token) else {
            profiles.push(q);
            continue;
        };
        p.service = MediaService::Both;
        if p.name.is_empty() {
            p.name = q.name;
        }
        p.video_encoder = match (p.video_encoder.take(), q.video_encoder) {
            (Some(v1), Some(v2)) if !stripped(&v2) => Some(merge_encoder(v2, v1)),
            (Some(v1), _) => Some(v1),
            (None, v2) => v2,
        };
        p.encoder_options =
            merge_options(std::mem::take(&mut p.encoder_options), q.encoder_options);
        if p.video_source_configuration.is_none() {
            p.video_source_configuration = q.video_source_configuration;
        }
        if p.audio_encoder.is_none() {
            p.audio_encoder = q.audio_encoder;
        }
        if p.ptz_configuration.is_none() {
            p.ptz_configuration = q.ptz_configuration;
        }
        if p.stream_uri.is_none() {
            p.stream_uri = q.stream_uri;
        }
        if p.snapshot_uri.is_none() {
            p.snapshot_uri = q.snapshot_uri;
        }
    }
}

/// `primary` with its missing fields taken from `fallback`.
fn merge_encoder(primary: VideoEncoder, fallback: VideoEncoder) -> VideoEncoder {
    VideoEncoder {
        token: primary.token,
        name: if primary.name.is_empty() {
            fallback.name
        } else {
            primary.name
        },
        encoding: primary.encoding.or(fallback.encoding),
        width: primary.width.or(fallback.width),
        height: primary.height.or(fallback.height),
        quality: primary.quality.or(fallback.quality),
        frame_rate: primary.frame_rate.or(fallback.frame_rate),
        bitrate_kbps: primary.bitrate_kbps.or(fallback.bitrate_kbps),
        gov_length: primary.gov_length.or(fallback.gov_length),
        encoding_interval: primary.encoding_interval.or(fallback.encoding_interval),
        profile: primary.profile.or(fallback.profile),
        constant_bitrate: primary.constant_bitrate.or(fallback.constant_bitrate),
        guaranteed_frame_rate: primary
            .guaranteed_frame_rate
            .or(fallback.guaranteed_frame_rate),
        multicast: primary.multicast.or(fallback.multicast),
        session_timeout: primary.session_timeout.or(fallback.session_timeout),
    }
}

/// ver10 options in their order, each replaced by the Media2 entry for the same codec (with
/// the ver10-only ranges kept), then the codecs only Media2 lists.
fn merge_options(ver10: Vec<EncoderOptions>, media2: Vec<EncoderOptions>) -> Vec<EncoderOptions> {
    let mut media2: Vec<Option<EncoderOptions>> = media2.into_iter().map(Some).collect();
    let mut out: Vec<EncoderOptions> = ver10
        .into_iter()
        .map(|v1| {
            let twin = media2
                .iter_mut()
                .find(|m| m.as_ref().is_some_and(|m| m.encoding == v1.encoding))
                .and_then(Option::take);
            match twin {
                Some(v2) => EncoderOptions {
                    encoding: v2.encoding,
                    resolutions: if v2.resolutions.is_empty() {
                        v1.resolutions
                    } else {
                        v2.resolutions
                    },
                    frame_rates: if v2.frame_rates.is_empty() {
                        v1.frame_rates
                    } else {
                        v2.frame_rates
                    },
                    frame_rate_range: v2.frame_rate_range.or(v1.frame_rate_range),
                    quality_range: v2.quality_range.or(v1.quality_range),
                    bitrate_range: v2.bitrate_range.or(v1.bitrate_range),
                    gov_length_range: v2.gov_length_range.or(v1.gov_length_range),
                    encoding_interval_range: v2
                        .encoding_interval_range
                        .or(v1.encoding_interval_range),
                    profiles: if v2.profiles.is_empty() {
                        v1.profiles
                    } else {
                        v2.profiles
                    },
                },
                None => v1,
            }
        })
        .collect();
    out.extend(media2.into_iter().flatten());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Codec, Multicast, Range};

    fn encoder(token: &str) -> VideoEncoder {
        VideoEncoder {
            token: token.into(),
            name: token.into(),
            ..VideoEncoder::default()
        }
    }

    #[test]
    fn media2_encoder_wins_but_ver10_only_fields_survive() {
        let v1 = VideoEncoder {
            encoding: Some(Codec::H264),
            width: Some(2688),
            height: Some(1520),
            session_timeout: Some("PT60S".into()),
            multicast: Some(Multicast {
                address: Some("0.0.0.0".into()),
                ..Default::default()
            }),
            encoding_interval: Some(1),
            ..encoder("VE1")
        };
        let v2 = VideoEncoder {
            encoding: Some(Codec::H265),
            width: Some(2688),
            height: Some(1520),
            constant_bitrate: Some(false),
            ..encoder("VE1")
        };
        let mut profiles = vec![MediaProfile {
            token: "Profile_1".into(),
            name: "mainStream".into(),
            video_encoder: Some(v1),
            stream_uri: Some("rtsp://10.0.0.5:554/Streaming/Channels/101".into()),
            encoder_options: vec![EncoderOptions {
                encoding: Some(Codec::H264),
                frame_rate_range: Some(Range::new(1.0, 25.0)),
                resolutions: vec![(2688, 1520)],
                ..Default::default()
            }],
            ..Default::default()
        }];
        let media2 = vec![
            MediaProfile {
                token: "Profile_1".into(),
                service: MediaService::Media2,
                video_encoder: Some(v2),
                ptz_configuration: Some("PTZ1".into()),
                encoder_options: vec![
                    EncoderOptions {
                        encoding: Some(Codec::H265),
                        resolutions: vec![(2688, 1520)],
                        ..Default::default()
                    },
                    EncoderOptions {
                        encoding: Some(Codec::H264),
                        resolutions: vec![(2688, 1520), (1920, 1080)],
                        frame_rates: vec![25.0, 12.5],
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
            MediaProfile {
                token: "Profile_3".into(),
                service: MediaService::Media2,
                ..Default::default()
            },
        ];
        merge_media2(&mut profiles, media2);
        assert_eq!(profiles.len(), 2);
        let p = &profiles[0];
        assert_eq!(p.service, MediaService::Both);
        assert_eq!(p.name, "mainStream");
        let e = p.video_encoder.as_ref().unwrap();
        assert_eq!(e.encoding, Some(Codec::H265));
        assert_eq!(e.session_timeout.as_deref(), Some("PT60S"));
        assert_eq!(e.encoding_interval, Some(1));
        assert_eq!(e.constant_bitrate, Some(false));
        assert!(e.multicast.is_some());
        assert_eq!(p.ptz_configuration.as_deref(), Some("PTZ1"));
        assert_eq!(
            p.stream_uri.as_deref(),
            Some("rtsp://10.0.0.5:554/Streaming/Channels/101")
        );
        // ver10's codec keeps its place and its frame-rate range; Media2 adds H.265.
        let codecs: Vec<_> = p
            .encoder_options
            .iter()
            .map(|o| o.encoding.clone())
            .collect();
        assert_eq!(codecs, [Some(Codec::H264), Some(Codec::H265)]);
        assert_eq!(p.encoder_options[0].resolutions.len(), 2);
        assert_eq!(p.encoder_options[0].frame_rates, [25.0, 12.5]);
        assert_eq!(
            p.encoder_options[0].frame_rate_range,
            Some(Range::new(1.0, 25.0))
        );
        assert_eq!(profiles[1].service, MediaService::Media2);
    }

    #[test]
    fn a_stripped_media2_encoder_does_not_replace_a_full_ver10_one() {
        let full = VideoEncoder {
            encoding: Some(Codec::H264),
            width: Some(704),
            height: Some(576),
            ..encoder("VE")
        };
        let mut profiles = vec![MediaProfile {
            token: "P".into(),
            video_encoder: Some(full.clone()),
            ..Default::default()
        }];
        merge_media2(
            &mut profiles,
            vec![MediaProfile {
                token: "P".into(),
                video_encoder: Some(encoder("VE")),
                ..Default::default()
            }],
        );
        assert_eq!(profiles[0].video_encoder, Some(full));
    }
}
