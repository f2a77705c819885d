//! The Imaging section: settings and their ranges per physical video source.

use super::Reader;
use super::policy::Stop;
use crate::model::VideoSource;
use crate::onvif::imaging;

impl Reader<'_> {
    /// The physical video sources: the ones the (ver10 and Media2) configurations capture
    /// from, which is what imaging is read for and what a migration carries over.
    /// GetVideoSources would list the same tokens for one more call (and its WSDL action lacks
    /// a slash, which strict servers refuse).
    pub(super) fn video_sources(&mut self) {
        let mut video_sources: Vec<VideoSource> = Vec::new();
        let configured = self
            .out
            .snapshot
            .profiles
            .iter()
            .filter_map(|p| p.video_source_configuration.as_ref())
            .chain(&self.source_configurations);
        for token in configured.map(|c| &c.source_token) {
            if !token.is_empty() && !video_sources.iter().any(|v| &v.token == token) {
                video_sources.push(VideoSource {
                    token: token.clone(),
                    imaging: None,
                });
            }
        }
        self.out.snapshot.video_sources = video_sources;
    }

    pub(super) async fn imaging(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(imaging::SERVICE) {
            return Ok(());
        }
        let sources: Vec<String> = self
            .out
            .snapshot
            .video_sources
            .iter()
            .map(|s| s.token.clone())
            .collect();
        for (i, source) in sources.into_iter().enumerate() {
            let ctx = format!("video source {source}");
            let settings = imaging::GetImagingSettings {
                source: source.clone(),
            };
            let settings = self.send(&settings, Some(&ctx)).await?;
            let options = self
                .send(&imaging::GetOptions { source }, Some(&ctx))
                .await?;
            if let Some(mut settings) = settings {
                settings.ranges = options.map(|o| o.ranges).unwrap_or_default();
                self.snap().video_sources[i].imaging = Some(settings);
            }
        }
        Ok(())
    }
}
