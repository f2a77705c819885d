//! Recording control (Profile G): recordings, tracks and jobs as the persona describes them,
//! changes read back, and the faults for unknown recordings, limits and bad sources.

use mock_devices::Persona;

use crate::support::*;

fn job(recording: &str, mode: &str, source: Option<&str>) -> String {
    let source = source
        .map(|p| {
            format!(
                "<t:Source><t:SourceToken Type=\"http://www.onvif.org/ver10/schema/Profile\"><t:Token>{p}</t:Token></t:SourceToken></t:Source>"
            )
        })
        .unwrap_or_default();
    format!(
        "<m:JobConfiguration><t:RecordingToken>{recording}</t:RecordingToken><t:Mode>{mode}</t:Mode><t:Priority>5</t:Priority>{source}</m:JobConfiguration>"
    )
}

fn recording_config(name: &str, retention: &str) -> String {
    format!(
        "<m:RecordingConfiguration><t:Source><t:SourceId></t:SourceId><t:Name>{name}</t:Name><t:Location>Lobby</t:Location>\
         <t:Description></t:Description><t:Address></t:Address></t:Source><t:Content>migrated</t:Content>\
         <t:MaximumRetentionTime>{retention}</t:MaximumRetentionTime></m:RecordingConfiguration>"
    )
}

#[tokio::test]
async fn every_persona_with_edge_storage_reports_its_recordings_and_jobs() {
    for name in Persona::builtin_names() {
        let persona = Persona::builtin(name).unwrap();
        let Some(spec) = persona.recording.as_ref() else {
            continue;
        };
        let dev = open_device(name).await;
        let s = Services::new(&dev);
        let recs = s.recording("GetRecordings", "").await;
        recs.assert_ok();
        assert_eq!(
            recs.texts("RecordingToken"),
            spec.recordings
                .iter()
                .map(|r| r.token.clone())
                .collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(
            recs.texts("MaximumRetentionTime"),
            spec.recordings
                .iter()
                .map(|r| r.retention.clone())
                .collect::<Vec<_>>(),
            "{name}"
        );
        let jobs = s.recording("GetRecordingJobs", "").await;
        jobs.assert_ok();
        assert_eq!(
            jobs.texts("JobToken"),
            spec.jobs
                .iter()
                .map(|j| j.token.clone())
                .collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(
            jobs.texts("Token"),
            spec.jobs
                .iter()
                .map(|j| j.source.clone())
                .collect::<Vec<_>>(),
            "{name}"
        );
        for j in &spec.jobs {
            let state = s
                .recording(
                    "GetRecordingJobState",
                    &format!("<m:JobToken>{}</m:JobToken>", j.token),
                )
                .await;
            state.assert_ok();
            assert_eq!(state.texts("State")[0], j.mode, "{name}");
        }
    }
}

#[tokio::test]
async fn create_recording_job_with_an_unknown_recording_is_no_recording() {
    for name in ["hikvision-ds2cd2143g2", "axis-p3265-lve"] {
        let dev = open_device(name).await;
        let s = Services::new(&dev);
        let profile = &dev.persona().media.as_ref().unwrap().profiles[0].token;
        s.recording(
            "CreateRecordingJob",
            &job("NoSuchRecording", "Active", Some(profile)),
        )
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "NoRecording"]);
    }
}

#[tokio::test]
async fn hikvision_has_one_fixed_recording_and_room_for_one_job() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    s.recording("CreateRecording", &recording_config("x", "P1D"))
        .await
        .assert_fault(500, &["Receiver", "ActionNotSupported"]);
    s.recording(
        "CreateRecordingJob",
        &job("Recording_101", "Active", Some("Profile_2")),
    )
    .await
    .assert_fault(500, &["Receiver", "Action", "MaxRecordingJobs"]);
    s.recording(
        "DeleteRecordingJob",
        "<m:JobToken>RecordingJob_101</m:JobToken>",
    )
    .await
    .assert_ok();
    let made = s
        .recording(
            "CreateRecordingJob",
            &job("Recording_101", "Active", Some("Profile_2")),
        )
        .await;
    made.assert_ok();
    let token = made.first("JobToken");
    // The adjusted configuration names the tracks the device mapped.
    assert_eq!(made.texts("Destination"), ["Video101", "Metadata101"]);
    s.recording(
        "SetRecordingJobMode",
        &format!("<m:JobToken>{token}</m:JobToken><m:Mode>Idle</m:Mode>"),
    )
    .await
    .assert_ok();
    let state = s
        .recording(
            "GetRecordingJobState",
            &format!("<m:JobToken>{token}</m:JobToken>"),
        )
        .await;
    assert_eq!(state.texts("State")[0], "Idle");
    s.recording(
        "SetRecordingJobMode",
        &format!("<m:JobToken>{token}</m:JobToken><m:Mode>Paused</m:Mode>"),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "BadValue"]);
    s.recording("GetRecordingJobState", "<m:JobToken>nope</m:JobToken>")
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "NoRecordingJob"]);
    // Retention changes are read back.
    s.recording(
        "SetRecordingConfiguration",
        &format!(
            "<m:RecordingToken>Recording_101</m:RecordingToken>{}",
            recording_config("Camera 01", "P90D")
        ),
    )
    .await
    .assert_ok();
    let config = s
        .recording(
            "GetRecordingConfiguration",
            "<m:RecordingToken>Recording_101</m:RecordingToken>",
        )
        .await;
    assert_eq!(config.first("MaximumRetentionTime"), "P90D");
    assert_eq!(config.first("Location"), "Lobby");
    s.recording(
        "SetRecordingConfiguration",
        &format!(
            "<m:RecordingToken>Recording_101</m:RecordingToken>{}",
            recording_config("Camera 01", "thirty days")
        ),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "BadConfiguration"]);
}

#[tokio::test]
async fn axis_creates_recordings_and_jobs_and_checks_their_sources() {
    let dev = open_device("axis-p3265-lve").await;
    let s = Services::new(&dev);
    let made = s
        .recording("CreateRecording", &recording_config("Migrated cam", "P7D"))
        .await;
    made.assert_ok();
    let rec = made.first("RecordingToken");
    let tracks = s
        .recording(
            "GetTrackConfiguration",
            &format!(
                "<m:RecordingToken>{rec}</m:RecordingToken><m:TrackToken>AUDIO001</m:TrackToken>"
            ),
        )
        .await;
    assert_eq!(tracks.first("TrackType"), "Audio");
    for (source, what) in [
        (Some("no_such_profile"), "unknown profile"),
        (None, "no source"),
    ] {
        let r = s
            .recording("CreateRecordingJob", &job(&rec, "Active", source))
            .await;
        r.assert_fault(400, &["Sender", "InvalidArgVal", "BadConfiguration"]);
        assert!(!r.text().is_empty(), "{what}");
    }
    let receiver = format!(
        "<m:JobConfiguration><t:RecordingToken>{rec}</t:RecordingToken><t:Mode>Active</t:Mode><t:Priority>1</t:Priority>\
         <t:Source><t:AutoCreateReceiver>true</t:AutoCreateReceiver></t:Source></m:JobConfiguration>"
    );
    s.recording("CreateRecordingJob", &receiver)
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "BadConfiguration"]);
    let made = s
        .recording(
            "CreateRecordingJob",
            &job(&rec, "Active", Some("profile_1_h265")),
        )
        .await;
    made.assert_ok();
    let job_token = made.first("JobToken");
    assert_eq!(made.texts("SourceTag"), ["tag0", "tag1", "tag2"]);
    let options = s
        .recording(
            "GetRecordingOptions",
            &format!("<m:RecordingToken>{rec}</m:RecordingToken>"),
        )
        .await;
    options.assert_ok();
    assert_eq!(attrs(&options.text(), "Job", "Spare"), ["30"]);
    // Deleting the source profile leaves the job in error.
    s.media2("CreateProfile", "<m:Name>temp</m:Name><m:Configuration><m:Type>VideoSource</m:Type></m:Configuration><m:Configuration><m:Type>VideoEncoder</m:Type></m:Configuration>")
        .await
        .assert_ok();
    let temp_job = s
        .recording(
            "CreateRecordingJob",
            &job(&rec, "Active", Some("profile_4_h264")),
        )
        .await;
    temp_job.assert_ok();
    s.media2("DeleteProfile", "<m:Token>profile_4_h264</m:Token>")
        .await
        .assert_ok();
    let state = s
        .recording(
            "GetRecordingJobState",
            &format!("<m:JobToken>{}</m:JobToken>", temp_job.first("JobToken")),
        )
        .await;
    assert_eq!(state.texts("State")[0], "Error");
    assert!(state.text().contains("does not exist"));
    // Deleting the recording takes its jobs along.
    s.recording(
        "DeleteRecording",
        &format!("<m:RecordingToken>{rec}</m:RecordingToken>"),
    )
    .await
    .assert_ok();
    let jobs = s.recording("GetRecordingJobs", "").await;
    assert!(!jobs.texts("JobToken").contains(&job_token));
    assert_eq!(jobs.texts("JobToken").len(), 1);
}

#[tokio::test]
async fn a_factory_reset_restores_the_shipped_recordings() {
    let axis = open_device("axis-p3265-lve").await;
    let hik = open_device("hikvision-ds2cd2143g2").await;
    for dev in [&axis, &hik] {
        call(
            dev.addr(),
            "SetSystemFactoryDefault",
            "<d:FactoryDefault>Hard</d:FactoryDefault>",
        )
        .await
        .assert_ok();
    }
    let path = |d: &mock_devices::MockDevice| {
        d.persona()
            .service(mock_devices::persona::ServiceKind::Recording)
            .unwrap()
            .path
            .clone()
    };
    let recs = wait_back(&axis, &path(&axis), TRC, "GetRecordings").await;
    recs.assert_ok();
    assert!(
        recs.texts("RecordingToken").is_empty(),
        "Axis recordings are gone"
    );
    let jobs = wait_back(&hik, &path(&hik), TRC, "GetRecordingJobs").await;
    assert_eq!(jobs.texts("Mode"), ["Idle"]);
    let recs = Services::new(&hik).recording("GetRecordings", "").await;
    assert_eq!(recs.first("MaximumRetentionTime"), "PT0S");
}
