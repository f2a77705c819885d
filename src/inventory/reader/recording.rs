//! The Recording section: capabilities, recordings with their configuration, tracks and
//! options, and recording jobs.

use super::Reader;
use super::policy::Stop;
use crate::model::Recording;
use crate::onvif::recording;

impl Reader<'_> {
    pub(super) async fn recording(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(recording::SERVICE) {
            return Ok(());
        }
        self.snap().recording = Some(Recording::default());
        let capabilities = self.send(&recording::GetServiceCapabilities, None).await?;
        let options_supported = capabilities.as_ref().is_some_and(|c| c.options);
        if let Some(c) = capabilities {
            self.recording_mut().capabilities = c;
        }
        if let Some(recordings) = self.send(&recording::GetRecordings, None).await? {
            self.recording_mut().recordings = recordings;
        }
        let listed: Vec<(String, Vec<String>)> = self
            .recording_mut()
            .recordings
            .iter()
            .map(|r| {
                (
                    r.token.clone(),
                    r.tracks.iter().map(|t| t.token.clone()).collect(),
                )
            })
            .collect();
        // The listing carries configurations; the dedicated reads confirm them (the spec lists
        // them as what a migration needs) and win where they differ.
        for (i, (token, tracks)) in listed.into_iter().enumerate() {
            let ctx = format!("recording {token}");
            let op = recording::GetRecordingConfiguration {
                recording: token.clone(),
            };
            if let Some(c) = self.send(&op, Some(&ctx)).await? {
                let r = &mut self.recording_mut().recordings[i];
                r.source = c.source;
                r.content = c.content;
                r.max_retention = c.max_retention;
                r.max_retention_s = c.max_retention_s;
            }
            for (j, track) in tracks.into_iter().enumerate() {
                let ctx = format!("recording {token} track {track}");
                let op = recording::GetTrackConfiguration {
                    recording: token.clone(),
                    track,
                };
                if let Some(c) = self.send(&op, Some(&ctx)).await? {
                    let t = &mut self.recording_mut().recordings[i].tracks[j];
                    t.kind = c.kind;
                    t.description = c.description;
                }
            }
            // GetRecordingOptions exists only where the capabilities say so.
            if options_supported {
                let op = recording::GetRecordingOptions {
                    recording: token.clone(),
                };
                if let Some(o) = self.send(&op, Some(&ctx)).await? {
                    self.recording_mut().recordings[i].options = Some(o);
                }
            }
        }
        if let Some(jobs) = self.send(&recording::GetRecordingJobs, None).await? {
            self.recording_mut().jobs = jobs;
        }
        let jobs: Vec<String> = self
            .recording_mut()
            .jobs
            .iter()
            .map(|j| j.token.clone())
            .collect();
        for (i, token) in jobs.into_iter().enumerate() {
            let ctx = format!("job {token}");
            let op = recording::GetRecordingJobConfiguration { job: token };
            if let Some(job) = self.send(&op, Some(&ctx)).await? {
                self.recording_mut().jobs[i] = job;
            }
        }
        Ok(())
    }

    fn recording_mut(&mut self) -> &mut Recording {
        self.out
            .snapshot
            .recording
            .get_or_insert_with(Recording::default)
    }
}
