//! One new camera as apply and verify see it: a session that waits out reboots, its identity
//! read before any credential is sent, and the sections of its configuration that steps look
//! up before writing and read back after (cached, and dropped when a write touches them).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::credentials::Login;
use crate::model::{
    AudioEncoder, Dns, Hostname, Identity, MediaProfile, NetworkInterface, Ntp, Preset,
    RecordingCapabilities, RecordingItem, RecordingJob, Scope, User, VideoEncoder,
    VideoSourceConfiguration,
};
use crate::onvif::operation::Operation;
use crate::onvif::session::{OnvifError, Session};
use crate::onvif::{device, media, media2, ptz, recording};
use crate::planner::plan::MediaApi;
use crate::soap::auth::Credentials as SoapCredentials;
use crate::soap::client::{AuthMode, ClientConfig};
use crate::soap::{SoapClient, SoapError};

/// How apply and verify talk to devices.
#[derive(Debug, Clone)]
pub struct Connect {
    /// Per-request timeout.
    pub timeout: Duration,
    /// How long a device may stay away (reboot, address move) before the camera fails.
    pub away_deadline: Duration,
    /// Pause between attempts while a device is away.
    pub retry_every: Duration,
    /// Authentication mode once credentials are in use.
    pub auth: AuthMode,
}

impl Default for Connect {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            away_deadline: Duration::from_secs(180),
            retry_every: Duration::from_millis(250),
            auth: AuthMode::Auto,
        }
    }
}

/// The host and port of a device service address.
pub fn socket_of(xaddr: &str) -> Option<SocketAddr> {
    let url = reqwest::Url::parse(xaddr).ok()?;
    let host: IpAddr = url
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    Some(SocketAddr::new(host, url.port_or_known_default()?))
}

/// `xaddr` with its host replaced by `ip` (port and path kept).
pub fn with_host(xaddr: &str, ip: &str) -> Option<String> {
    let mut url = reqwest::Url::parse(xaddr).ok()?;
    url.set_host(Some(ip)).ok()?;
    Some(url.to_string())
}

/// Whether anything accepts a TCP connection at `addr` within `timeout`.
pub async fn answers(addr: SocketAddr, timeout: Duration) -> bool {
    matches!(
        tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await,
        Ok(Ok(_))
    )
}

fn client(label: &str, login: Option<&Login>, connect: &Connect) -> Result<SoapClient, SoapError> {
    SoapClient::new(
        label,
        ClientConfig {
            timeout: connect.timeout,
            connect_timeout: connect.timeout.min(Duration::from_secs(5)),
            auth: if login.is_some() {
                connect.auth
            } else {
                AuthMode::None
            },
            credentials: login.map(|l| SoapCredentials::new(&l.username, l.password.expose())),
            ..ClientConfig::default()
        },
    )
}

/// What a device says about itself before it has seen any credential.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PreAuth {
    /// GetDeviceInformation, when the device answers it without credentials.
    pub identity: Option<Identity>,
    /// Users, when the device lists them without credentials (a factory-default unit).
    pub users: Option<Vec<String>>,
}

impl PreAuth {
    /// True when the device has no account yet (ONVIF: then every call is allowed).
    pub fn factory_default(&self) -> bool {
        self.users.as_ref().is_some_and(Vec::is_empty)
    }
}

/// Reads identity and users with no credentials at all: GetSystemDateAndTime, then
/// GetDeviceInformation and GetUsers (allowed on a device without accounts, refused on
/// others). Nothing here can leak a password: the client holds none.
pub async fn pre_auth(xaddr: &str, connect: &Connect) -> Result<PreAuth, OnvifError> {
    let soap = client(xaddr, None, connect)?;
    let session = Session::new(soap, xaddr);
    session.sync_clock().await?;
    let identity = match session.send(&device::GetDeviceInformation).await {
        Ok(i) => Some(i),
        Err(e)
            if e.is_not_authorized()
                || matches!(&e, OnvifError::Soap(s) if s.fault().is_some()) =>
        {
            None
        }
        Err(e) => return Err(e),
    };
    let users = match session.send(&device::GetUsers).await {
        Ok(u) => Some(u.into_iter().map(|u| u.username).collect()),
        Err(e)
            if e.is_not_authorized()
                || matches!(&e, OnvifError::Soap(s) if s.fault().is_some()) =>
        {
            None
        }
        Err(e) => return Err(e),
    };
    Ok(PreAuth { identity, users })
}

/// Sections of a device's configuration, read on demand.
#[derive(Debug, Default, Clone)]
pub struct Sections {
    /// GetUsers.
    pub users: Option<Vec<User>>,
    /// GetDNS.
    pub dns: Option<Dns>,
    /// GetNTP.
    pub ntp: Option<Ntp>,
    /// GetScopes.
    pub scopes: Option<Vec<Scope>>,
    /// GetSystemDateAndTime (its settings: mode, zone, DST).
    pub clock: Option<device::SystemDateTime>,
    /// GetHostname.
    pub hostname: Option<Hostname>,
    /// GetNetworkDefaultGateway.
    pub gateway: Option<Vec<String>>,
    /// GetNetworkInterfaces.
    pub interfaces: Option<Vec<NetworkInterface>>,
    /// Media GetProfiles.
    pub profiles: Option<Vec<MediaProfile>>,
    /// Media2 GetProfiles.
    pub profiles2: Option<Vec<MediaProfile>>,
    /// GetPresets by profile token.
    pub presets: std::collections::BTreeMap<String, Vec<Preset>>,
    /// GetRecordings.
    pub recordings: Option<Vec<RecordingItem>>,
    /// GetRecordingJobs.
    pub jobs: Option<Vec<RecordingJob>>,
    /// PTZ GetNodes.
    pub nodes: Option<Vec<crate::model::PtzNode>>,
}

/// An authenticated connection to a new camera.
pub struct Device {
    /// Where it answers.
    pub xaddr: String,
    session: Session,
    connect: Connect,
    /// What has been read (dropped section by section when written).
    pub seen: Sections,
    /// ONVIF calls sent (for progress and the benchmark).
    pub calls: u64,
}

impl Device {
    /// Opens a session as `login` (or none, on a device without accounts), reads the clock
    /// and the service list. Waits for a device that is away (rebooting) up to the deadline.
    pub async fn open(
        label: &str,
        xaddr: &str,
        login: Option<&Login>,
        connect: &Connect,
    ) -> Result<Self, OnvifError> {
        let soap = client(label, login, connect)?;
        let mut d = Self {
            xaddr: xaddr.to_owned(),
            session: Session::new(soap, xaddr),
            connect: connect.clone(),
            seen: Sections::default(),
            calls: 0,
        };
        let started = Instant::now();
        loop {
            let attempt = async {
                d.session.sync_clock().await?;
                d.session.load_services().await
            }
            .await;
            match attempt {
                Ok(_) => break,
                Err(e) if away(&e) && started.elapsed() < connect.away_deadline => {
                    tokio::time::sleep(connect.retry_every).await;
                }
                Err(e) => return Err(e),
            }
        }
        d.calls += 2;
        Ok(d)
    }

    /// Whether the device offers `service`.
    pub fn has_service(&self, service: &str) -> bool {
        self.session.has_service(service)
    }

    /// Sends an operation value: the one way a write reaches the camera.
    pub async fn send<O: Operation>(&mut self, op: &O) -> Result<O::Response, OnvifError> {
        self.calls += 1;
        self.session.send(op).await
    }

    /// Waits until the device answers GetSystemDateAndTime again (after a reboot or a
    /// dropped connection), up to the deadline.
    pub async fn wait_until_back(&mut self) -> Result<(), OnvifError> {
        let started = Instant::now();
        loop {
            self.calls += 1;
            match self.session.sync_clock().await {
                Ok(_) => {
                    self.seen = Sections::default();
                    return Ok(());
                }
                Err(e) if away(&e) && started.elapsed() < self.connect.away_deadline => {
                    tokio::time::sleep(self.connect.retry_every).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// GetUsers.
    pub async fn users(&mut self) -> Result<&[User], OnvifError> {
        if self.seen.users.is_none() {
            let v = self.send(&device::GetUsers).await?;
            self.seen.users = Some(v);
        }
        Ok(self.seen.users.as_deref().unwrap_or_default())
    }

    /// GetDNS.
    pub async fn dns(&mut self) -> Result<Dns, OnvifError> {
        if self.seen.dns.is_none() {
            let v = self.send(&device::GetDNS).await?;
            self.seen.dns = Some(v);
        }
        Ok(self.seen.dns.clone().unwrap_or_default())
    }

    /// GetNTP.
    pub async fn ntp(&mut self) -> Result<Ntp, OnvifError> {
        if self.seen.ntp.is_none() {
            let v = self.send(&device::GetNTP).await?;
            self.seen.ntp = Some(v);
        }
        Ok(self.seen.ntp.clone().unwrap_or_default())
    }

    /// GetScopes.
    pub async fn scopes(&mut self) -> Result<Vec<Scope>, OnvifError> {
        if self.seen.scopes.is_none() {
            let v = self.send(&device::GetScopes).await?;
            self.seen.scopes = Some(v);
        }
        Ok(self.seen.scopes.clone().unwrap_or_default())
    }

    /// GetSystemDateAndTime.
    pub async fn date_time(&mut self) -> Result<device::SystemDateTime, OnvifError> {
        if self.seen.clock.is_none() {
            let v = self.send(&device::GetSystemDateAndTime).await?;
            self.seen.clock = Some(v);
        }
        Ok(self.seen.clock.clone().unwrap_or_default())
    }

    /// GetHostname.
    pub async fn hostname(&mut self) -> Result<Hostname, OnvifError> {
        if self.seen.hostname.is_none() {
            let v = self.send(&device::GetHostname).await?;
            self.seen.hostname = Some(v);
        }
        Ok(self.seen.hostname.clone().unwrap_or_default())
    }

    /// GetNetworkDefaultGateway.
    pub async fn gateway(&mut self) -> Result<Vec<String>, OnvifError> {
        if self.seen.gateway.is_none() {
            let v = self.send(&device::GetNetworkDefaultGateway).await?;
            self.seen.gateway = Some(v);
        }
        Ok(self.seen.gateway.clone().unwrap_or_default())
    }

    /// GetNetworkInterfaces.
    pub async fn interfaces(&mut self) -> Result<Vec<NetworkInterface>, OnvifError> {
        if self.seen.interfaces.is_none() {
            let v = self.send(&device::GetNetworkInterfaces).await?;
            self.seen.interfaces = Some(v);
        }
        Ok(self.seen.interfaces.clone().unwrap_or_default())
    }

    /// GetProfiles through `service`.
    pub async fn profiles(&mut self, service: MediaApi) -> Result<Vec<MediaProfile>, OnvifError> {
        let cached = match service {
            MediaApi::Media => &self.seen.profiles,
            MediaApi::Media2 => &self.seen.profiles2,
        };
        if let Some(p) = cached {
            return Ok(p.clone());
        }
        let v = match service {
            MediaApi::Media => self.send(&media::GetProfiles).await?,
            MediaApi::Media2 => {
                self.send(&media2::GetProfiles {
                    token: None,
                    types: vec![media2::ConfigurationType::All],
                })
                .await?
            }
        };
        match service {
            MediaApi::Media => self.seen.profiles = Some(v.clone()),
            MediaApi::Media2 => self.seen.profiles2 = Some(v.clone()),
        }
        Ok(v)
    }

    /// The video source configurations (for a new profile).
    pub async fn video_source_configurations(
        &mut self,
        service: MediaApi,
    ) -> Result<Vec<VideoSourceConfiguration>, OnvifError> {
        match service {
            MediaApi::Media => self.send(&media::GetVideoSourceConfigurations).await,
            MediaApi::Media2 => {
                self.send(&media2::GetVideoSourceConfigurations::default())
                    .await
            }
        }
    }

    /// The video encoder configurations.
    pub async fn video_encoder_configurations(
        &mut self,
        service: MediaApi,
    ) -> Result<Vec<VideoEncoder>, OnvifError> {
        match service {
            MediaApi::Media => self.send(&media::GetVideoEncoderConfigurations).await,
            MediaApi::Media2 => {
                self.send(&media2::GetVideoEncoderConfigurations::default())
                    .await
            }
        }
    }

    /// The audio source configuration tokens (for a new profile's audio).
    pub async fn audio_source_configurations(
        &mut self,
        service: MediaApi,
    ) -> Result<Vec<String>, OnvifError> {
        match service {
            MediaApi::Media => self.send(&media::GetAudioSourceConfigurations).await,
            MediaApi::Media2 => {
                self.send(&media2::GetAudioSourceConfigurations::default())
                    .await
            }
        }
    }

    /// The audio encoder configurations.
    pub async fn audio_encoder_configurations(
        &mut self,
        service: MediaApi,
    ) -> Result<Vec<AudioEncoder>, OnvifError> {
        match service {
            MediaApi::Media => self.send(&media::GetAudioEncoderConfigurations).await,
            MediaApi::Media2 => {
                self.send(&media2::GetAudioEncoderConfigurations::default())
                    .await
            }
        }
    }

    /// The PTZ configuration tokens.
    pub async fn ptz_configurations(&mut self) -> Result<Vec<String>, OnvifError> {
        let v = self.send(&ptz::GetConfigurations).await?;
        Ok(v.into_iter().map(|c| c.token).collect())
    }

    /// The PTZ nodes (spaces and their ranges), read once.
    pub async fn ptz_nodes(&mut self) -> Result<Vec<crate::model::PtzNode>, OnvifError> {
        if self.seen.nodes.is_none() {
            let v = self.send(&ptz::GetNodes).await?;
            self.seen.nodes = Some(v);
        }
        Ok(self.seen.nodes.clone().unwrap_or_default())
    }

    /// GetPresets of a profile.
    pub async fn presets(&mut self, profile: &str) -> Result<Vec<Preset>, OnvifError> {
        if let Some(p) = self.seen.presets.get(profile) {
            return Ok(p.clone());
        }
        let v = self
            .send(&ptz::GetPresets {
                profile: profile.to_owned(),
            })
            .await?;
        self.seen.presets.insert(profile.to_owned(), v.clone());
        Ok(v)
    }

    /// GetStatus of a profile's PTZ unit.
    pub async fn ptz_status(&mut self, profile: &str) -> Result<ptz::PtzStatus, OnvifError> {
        self.send(&ptz::GetStatus {
            profile: profile.to_owned(),
        })
        .await
    }

    /// Recording service capabilities.
    pub async fn recording_capabilities(&mut self) -> Result<RecordingCapabilities, OnvifError> {
        self.send(&recording::GetServiceCapabilities).await
    }

    /// GetRecordings.
    pub async fn recordings(&mut self) -> Result<Vec<RecordingItem>, OnvifError> {
        if self.seen.recordings.is_none() {
            let v = self.send(&recording::GetRecordings).await?;
            self.seen.recordings = Some(v);
        }
        Ok(self.seen.recordings.clone().unwrap_or_default())
    }

    /// GetRecordingJobs.
    pub async fn jobs(&mut self) -> Result<Vec<RecordingJob>, OnvifError> {
        if self.seen.jobs.is_none() {
            let v = self.send(&recording::GetRecordingJobs).await?;
            self.seen.jobs = Some(v);
        }
        Ok(self.seen.jobs.clone().unwrap_or_default())
    }
}

/// True when the error means the device is not there right now (rebooting, cable out), as
/// opposed to a refusal or an answer we cannot read.
pub fn away(e: &OnvifError) -> bool {
    matches!(e, OnvifError::Soap(s) if s.is_transport())
}
