//! The Media ver10 section: profiles, with the full video source and encoder configurations
//! Dahua-family firmware leaves out of them, encoder options, audio encoders, stream and
//! snapshot URIs.

use super::Reader;
use super::policy::Stop;
use crate::model::{MediaProfile, VideoEncoder, VideoSourceConfiguration, redact_uri};
use crate::onvif::media;

impl Reader<'_> {
    pub(super) async fn media(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(media::SERVICE) {
            return Ok(());
        }
        if let Some(profiles) = self.send(&media::GetProfiles, None).await? {
            self.snap().profiles = profiles;
        }
        let sources = self
            .send(&media::GetVideoSourceConfigurations, None)
            .await?;
        let encoders = self
            .send(&media::GetVideoEncoderConfigurations, None)
            .await?;
        let (sources, encoders) = (sources.unwrap_or_default(), encoders.unwrap_or_default());
        for p in &mut self.snap().profiles {
            fill_stripped(p, &sources, &encoders);
        }
        for (profile, encoder) in encoder_tokens(&self.out.snapshot.profiles) {
            let op = media::GetVideoEncoderConfigurationOptions {
                configuration: Some(encoder),
                profile: Some(profile.clone()),
            };
            if let Some(options) = self.send(&op, Some(&format!("profile {profile}"))).await? {
                self.profile_mut(&profile).encoder_options = options;
            }
        }
        if let Some(audio) = self
            .send(&media::GetAudioEncoderConfigurations, None)
            .await?
        {
            for p in &mut self.snap().profiles {
                if let Some(a) = &mut p.audio_encoder {
                    if a.encoding.is_none() {
                        if let Some(full) = audio.iter().find(|f| f.token == a.token) {
                            *a = full.clone();
                        }
                    }
                }
            }
        }
        for (profile, _) in encoder_tokens(&self.out.snapshot.profiles) {
            let ctx = format!("profile {profile}");
            let op = media::GetStreamUri {
                profile: profile.clone(),
                setup: media::StreamSetup::default(),
            };
            if let Some(uri) = self.send(&op, Some(&ctx)).await? {
                let uri = self.reached(&uri.uri);
                self.profile_mut(&profile).stream_uri = Some(uri);
            }
            let op = media::GetSnapshotUri {
                profile: profile.clone(),
            };
            if let Some(uri) = self.send(&op, Some(&ctx)).await? {
                let uri = self.reached(&uri.uri);
                self.profile_mut(&profile).snapshot_uri = Some(uri);
            }
        }
        self.source_configurations = sources;
        Ok(())
    }

    /// A URI with userinfo removed and its host replaced by the one we reached, when the
    /// device named another (as for service addresses).
    pub(super) fn reached(&self, uri: &str) -> String {
        let (fixed, changed) =
            crate::model::rewrite_host(&redact_uri(uri), &self.out.snapshot.xaddr);
        if changed {
            tracing::info!(
                device = %self.out.snapshot.xaddr,
                reported = %redact_uri(uri),
                used = %fixed,
                "media URI rewritten to the host we reached"
            );
        }
        fixed
    }

    pub(super) fn profile_mut(&mut self, token: &str) -> &mut MediaProfile {
        let profiles = &mut self.out.snapshot.profiles;
        let i = profiles
            .iter()
            .position(|p| p.token == token)
            .expect("tokens come from this list");
        &mut profiles[i]
    }
}

/// `(profile token, encoder token)` of every profile that has a video encoder: the profiles
/// with a stream to ask about.
pub(super) fn encoder_tokens(profiles: &[MediaProfile]) -> Vec<(String, String)> {
    profiles
        .iter()
        .filter_map(|p| {
            p.video_encoder
                .as_ref()
                .map(|e| (p.token.clone(), e.token.clone()))
        })
        .collect()
}

/// An encoder configuration with nothing but its token and name, as Dahua-family firmware
/// embeds it in GetProfiles.
pub(super) fn stripped(e: &VideoEncoder) -> bool {
    e.encoding.is_none() && e.width.is_none() && e.height.is_none()
}

/// Replaces a profile's stripped video source and encoder configurations with the full ones
/// from the device's lists, by token.
pub(super) fn fill_stripped(
    p: &mut MediaProfile,
    sources: &[VideoSourceConfiguration],
    encoders: &[VideoEncoder],
) {
    if let Some(e) = &mut p.video_encoder {
        if stripped(e) {
            if let Some(full) = encoders.iter().find(|f| f.token == e.token) {
                *e = full.clone();
            }
        }
    }
    if let Some(s) = &mut p.video_source_configuration {
        if s.bounds.is_none() || s.source_token.is_empty() {
            if let Some(full) = sources.iter().find(|f| f.token == s.token) {
                *s = full.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Codec;

    fn encoder(token: &str) -> VideoEncoder {
        VideoEncoder {
            token: token.into(),
            name: token.into(),
            ..VideoEncoder::default()
        }
    }

    #[test]
    fn stripped_dahua_encoder_is_filled_from_the_full_list_by_token() {
        // captures/dahua/GetProfiles-hammeraj-nvr.xml: the sub stream's encoder has a name only.
        let mut p = MediaProfile {
            token: "MediaProfile001".into(),
            video_encoder: Some(encoder("VideoEncoderToken001")),
            video_source_configuration: Some(VideoSourceConfiguration {
                token: "VideoSourceConfigToken000".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let full = VideoEncoder {
            encoding: Some(Codec::H264),
            width: Some(704),
            height: Some(576),
            frame_rate: Some(15.0),
            ..encoder("VideoEncoderToken001")
        };
        let other = VideoEncoder {
            width: Some(2688),
            ..encoder("VideoEncoderToken000")
        };
        let source = VideoSourceConfiguration {
            token: "VideoSourceConfigToken000".into(),
            source_token: "VideoSourceToken000".into(),
            ..Default::default()
        };
        fill_stripped(
            &mut p,
            std::slice::from_ref(&source),
            &[other, full.clone()],
        );
        assert_eq!(p.video_encoder, Some(full));
        assert_eq!(p.video_source_configuration, Some(source));

        // A complete embedded encoder is left as the profile reported it.
        let mut q = MediaProfile {
            video_encoder: Some(VideoEncoder {
                width: Some(1),
                ..encoder("E")
            }),
            ..Default::default()
        };
        fill_stripped(
            &mut q,
            &[],
            &[VideoEncoder {
                width: Some(2),
                ..encoder("E")
            }],
        );
        assert_eq!(q.video_encoder.unwrap().width, Some(1));
    }
}
