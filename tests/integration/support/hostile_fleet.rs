//! A mock fleet with hostile cameras among the healthy ones (issue 10's must-show), read the
//! way `camswap inventory` reads a site: shared by the `hostile_fleet` integration test (60
//! cameras) and `cargo bench --bench hostile_fleet` (1,000), which includes this file.
//!
//! The hostile kinds, in turn (items of issue 10):
//! - `bomb` (1): a raw HTTP server on 127.0.0.1 answering every request with a namespace
//!   declaration bomb (1,000 prefixes on the envelope, 10,000 siblings declaring one more);
//! - `foreign` (3): a mock camera whose GetServices/GetCapabilities put every service on a
//!   collector's address, which records whatever reaches it;
//! - `spoof` (4): a relay on another address that forwards to a healthy camera, so two
//!   addresses claim its serial, MAC and endpoint;
//! - `leaky` (5): a mock camera whose stream and snapshot URIs carry the password
//!   (userinfo, `password=`, `pwd=`, `auth=` base64) and a session token;
//! - `ansi` (7): a mock camera whose model and hostname carry terminal control sequences.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use camswap::credentials::{Login, Secret};
use camswap::inventory::file::Inventory;
use camswap::inventory::reader::{ReadOptions, Target, read_all};
use mock_devices::{DeviceSpec, Fleet, FleetSpec, Persona};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The fleet's password.
pub const PASSWORD: &str = "camswap-demo";
/// The session token a leaky camera puts in its snapshot URI.
pub const TOKEN: &str = "sEsSiOnToKeN4711";

const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";

/// What a hostile camera does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Bomb,
    Foreign,
    Spoof,
    Leaky,
    Ansi,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Bomb,
        Kind::Foreign,
        Kind::Spoof,
        Kind::Leaky,
        Kind::Ansi,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Bomb => "bomb",
            Kind::Foreign => "foreign",
            Kind::Spoof => "spoof",
            Kind::Leaky => "leaky",
            Kind::Ansi => "ansi",
        }
    }
}

/// How one run went.
pub struct Outcome {
    pub devices: usize,
    pub wall: Duration,
    /// Healthy cameras, and those read completely (no error recorded).
    pub healthy: usize,
    pub healthy_complete: usize,
    /// Healthy cameras with an error: (xaddr, errors), empty when all went well.
    pub healthy_failures: Vec<(String, Vec<String>)>,
    /// Per hostile kind: (count, of which read with at least one error, first error seen).
    pub hostile: BTreeMap<Kind, (usize, usize, Option<String>)>,
    /// Requests that reached the credential collector.
    pub collected: usize,
    /// Spoofed claims reported as conflicts in the inventory, against spoofers started.
    pub spoofs_reported: usize,
    /// Whether inventory.json as it would be written holds the password, its base64 or the
    /// token; whether a model as the human tables print it still carries an escape.
    pub secret_in_inventory: bool,
    pub escape_in_table: bool,
}

/// Issue 10 item 1's document.
pub fn namespace_declaration_bomb() -> Vec<u8> {
    let mut doc = format!(r#"<?xml version="1.0"?><s:Envelope xmlns:s="{SOAP12}""#);
    for i in 0..1_000 {
        doc.push_str(&format!(r#" xmlns:p{i}="urn:bomb:{i}""#));
    }
    doc.push_str(&format!(
        r#"><s:Body><tds:GetSystemDateAndTimeResponse xmlns:tds="{TDS}">"#
    ));
    for _ in 0..10_000 {
        doc.push_str(r#"<a xmlns:x="urn:x"/>"#);
    }
    doc.push_str("</tds:GetSystemDateAndTimeResponse></s:Body></s:Envelope>");
    doc.into_bytes()
}

/// Reads an HTTP request head (and what body comes with it within a moment).
async fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut seen = Vec::new();
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
    let _ = tokio::time::timeout(Duration::from_millis(20), stream.read(&mut buf)).await;
    Some(seen)
}

/// Answers every request on 127.0.0.1 with `body`; returns the device service address.
async fn constant_server(body: Arc<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let body = Arc::clone(&body);
            tokio::spawn(async move {
                if read_request(&mut stream).await.is_none() {
                    return;
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{addr}/onvif/device_service")
}

/// Records every connection it gets (and answers with a Digest challenge, so a client that
/// trusted it would send its proof).
async fn collector(count: Arc<Mutex<usize>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            *count.lock().expect("counter") += 1;
            tokio::spawn(async move {
                let _ = read_request(&mut stream).await;
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"x\", \
                          qop=\"auth\", nonce=\"abc\", algorithm=MD5\r\nContent-Length: 0\r\n\
                          Connection: close\r\n\r\n",
                    )
                    .await;
            });
        }
    });
    addr
}

/// Forwards every connection on a fresh 127.0.0.1 port to `to`: an impostor relaying a real
/// camera. Returns its device service address.
async fn relay(to: SocketAddr) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    format!("http://{addr}/onvif/device_service")
}

fn leaky(mut p: Persona) -> Persona {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("admin:{PASSWORD}"));
    if let Some(media) = p.media.as_mut() {
        media.stream_uri = format!(
            "rtsp://admin:{PASSWORD}@{{ip}}:554/live/{{stream}}?profile={{profile}}&user=admin&password={PASSWORD}&auth={b64}"
        );
        media.snapshot_uri = Some(format!(
            "http://admin:{PASSWORD}@{{http_host}}/snapshot.cgi?{{profile}}&pwd={PASSWORD}&token={TOKEN}"
        ));
    }
    p
}

fn ansi(mut p: Persona) -> Persona {
    p.identity.model = format!("{}\u{1b}]0;owned\u{7}\u{1b}[2J", p.identity.model);
    p.network.hostname = "cam\u{1b}[31mred\u{1b}[0m\u{9b}2J".to_owned();
    p
}

/// Reads a fleet of `count` cameras on consecutive addresses from `base`, one in every
/// `count / hostile` of them hostile (the kinds in turn), at the default concurrency.
pub async fn run(count: usize, hostile: usize, base: Ipv4Addr) -> Outcome {
    assert!(hostile > 0 && hostile * 2 <= count, "{hostile} of {count}");
    let personas: Vec<Persona> = Persona::builtin_names()
        .into_iter()
        .map(|n| Persona::builtin(n).expect("built-in persona"))
        .filter(|p| p.media.is_some())
        .collect();
    let stride = count / hostile;
    // Position in the fleet -> its kind, for the hostile ones.
    let kinds: BTreeMap<usize, Kind> = (0..hostile)
        .map(|i| (i * stride + stride / 2, Kind::ALL[i % Kind::ALL.len()]))
        .collect();

    let collected = Arc::new(Mutex::new(0usize));
    let collector_addr = collector(Arc::clone(&collected)).await;
    let bomb = Arc::new(namespace_declaration_bomb());

    // Mock cameras: every position but the bombs and the spoofers (which are servers of
    // their own), personas in turn.
    let mut spec = FleetSpec::round_robin(&[], 0, base);
    let mut mock_positions = Vec::new();
    for pos in 0..count {
        let persona = personas[pos % personas.len()].clone();
        let persona = match kinds.get(&pos) {
            Some(Kind::Bomb | Kind::Spoof) => continue,
            Some(Kind::Foreign) => {
                let mut p = persona;
                p.quirks.foreign_service_host = Some(collector_addr.to_string());
                p
            }
            Some(Kind::Leaky) => leaky(persona),
            Some(Kind::Ansi) => ansi(persona),
            None => persona,
        };
        spec.devices.push(DeviceSpec::new(persona));
        mock_positions.push(pos);
    }
    let fleet = Fleet::start(spec).await.expect("fleet starts");
    let mut xaddr_at: BTreeMap<usize, String> = mock_positions
        .iter()
        .copied()
        .zip(fleet.xaddrs().await)
        .collect();
    let addr_of = |xaddr: &str| -> SocketAddr {
        let origin = xaddr
            .trim_start_matches("http://")
            .split('/')
            .next()
            .expect("host");
        let origin = if origin.contains(':') {
            origin.to_owned()
        } else {
            format!("{origin}:80")
        };
        origin.parse().expect("socket address")
    };
    for (&pos, &kind) in &kinds {
        let xaddr = match kind {
            Kind::Bomb => constant_server(Arc::clone(&bomb)).await,
            // The camera just before the spoofer is the one it relays.
            Kind::Spoof => relay(addr_of(&xaddr_at[&(pos - 1)])).await,
            _ => continue,
        };
        xaddr_at.insert(pos, xaddr);
    }

    let login = Login {
        username: "admin".into(),
        password: Secret::new(PASSWORD),
    };
    let targets: Vec<Target> = xaddr_at
        .values()
        .map(|xaddr| Target {
            xaddr: xaddr.clone(),
            endpoint: None,
            login: Some(login.clone()),
        })
        .collect();
    let started = Instant::now();
    let snapshots = read_all(&targets, &ReadOptions::default(), &|_, _| {}).await;
    let wall = started.elapsed();
    assert_eq!(snapshots.len(), count);

    let kind_of: BTreeMap<&str, Option<Kind>> = xaddr_at
        .iter()
        .map(|(pos, x)| (x.as_str(), kinds.get(pos).copied()))
        .collect();
    let mut out = Outcome {
        devices: count,
        wall,
        healthy: 0,
        healthy_complete: 0,
        healthy_failures: Vec::new(),
        hostile: BTreeMap::new(),
        collected: 0,
        spoofs_reported: 0,
        secret_in_inventory: false,
        escape_in_table: false,
    };
    for s in &snapshots {
        let errors: Vec<String> = s
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.operation, e.reason))
            .collect();
        match kind_of.get(s.xaddr.as_str()).copied().flatten() {
            None => {
                out.healthy += 1;
                if errors.is_empty() {
                    out.healthy_complete += 1;
                } else {
                    out.healthy_failures.push((s.xaddr.clone(), errors));
                }
            }
            Some(kind) => {
                let entry = out.hostile.entry(kind).or_insert((0, 0, None));
                entry.0 += 1;
                if !errors.is_empty() {
                    entry.1 += 1;
                    entry.2.get_or_insert_with(|| errors[0].clone());
                }
            }
        }
    }
    out.collected = *collected.lock().expect("counter");

    let spoofers: Vec<String> = kinds
        .iter()
        .filter(|(_, k)| **k == Kind::Spoof)
        .map(|(pos, _)| xaddr_at[pos].clone())
        .collect();
    let inventory = Inventory::new(snapshots);
    out.spoofs_reported = spoofers
        .iter()
        .filter(|x| {
            let host = addr_of(x).to_string();
            inventory
                .conflicts
                .iter()
                .any(|c| c.claim.starts_with("serial:") && c.addresses.contains(&host))
        })
        .count();
    let json = serde_json::to_string(&inventory).expect("inventory serialises");
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("admin:{PASSWORD}"));
    out.secret_in_inventory =
        json.contains(PASSWORD) || json.contains(&b64) || json.contains(TOKEN);
    out.escape_in_table = false;
    for d in &inventory.devices {
        if let Some(model) = &d.identity.model {
            out.escape_in_table |= camswap::text::clean(model).contains('\u{1b}');
        }
    }
    fleet.shutdown().await;
    out
}
