//! The reader against a device that answers with real camera captures (shared/captures), for
//! quirks the mock does not reproduce byte for byte. A tiny raw HTTP server here answers each
//! operation with a capture file or a short synthetic answer, by the request's Body element.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use camswap::inventory::reader::{ReadOptions, Target, read_device};
use camswap::model::Codec;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::support::envelope::wrap_answer as envelope;
use crate::support::shared::capture_text as capture;

/// Answers `(status, body)` for a request body.
type Answer = dyn Fn(&str) -> (u16, String) + Send + Sync;

/// Serves one answer per connection (`Connection: close`) until dropped.
async fn serve(answer: impl Fn(&str) -> (u16, String) + Send + Sync + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer: Arc<Answer> = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = Arc::clone(&answer);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf);
                    let Some(head_end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length: usize = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            let (n, v) = l.split_once(':')?;
                            n.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= head_end + 4 + length {
                        break;
                    }
                }
                let text = String::from_utf8_lossy(&buf).into_owned();
                let (status, body) = answer(&text);
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/soap+xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    addr
}

/// Quirk: Dahua-family GetProfiles (Media ver10) sends `VideoEncoderConfiguration` with only
/// `Name` and `UseCount` (captures/dahua/GetProfiles-hammeraj-nvr.xml, a 12-channel NVR); the
/// full values come from GetVideoEncoderConfigurations, by token. Unsupported calls answer
/// with captures/dahua/Fault-hammeraj-actionnotsupported.xml.
#[tokio::test]
async fn dahua_stripped_encoder_configurations_are_filled_from_the_full_list() {
    let profiles = capture("dahua/GetProfiles-hammeraj-nvr.xml");
    let not_supported = capture("dahua/Fault-hammeraj-actionnotsupported.xml");
    // Twelve channels, encoder tokens 00000..01100; the list gives each its own width.
    let encoders: String = (0..12)
        .map(|i| {
            format!(
                r#"<trt:Configurations token="{:03}00"><tt:Name>VideoEncoderConfig_Channel{}_MainStream</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>{}</tt:Width><tt:Height>1536</tt:Height></tt:Resolution><tt:Quality>4.000000</tt:Quality><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>50</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264><tt:SessionTimeout>PT60S</tt:SessionTimeout></trt:Configurations>"#,
                i,
                i + 1,
                2000 + i
            )
        })
        .collect();
    let encoders = envelope(&format!(
        "<trt:GetVideoEncoderConfigurationsResponse>{encoders}</trt:GetVideoEncoderConfigurationsResponse>"
    ));
    let addr = serve(move |request| {
        let has = |name: &str| request.contains(&format!(":{name}"));
        if has("GetSystemDateAndTime") {
            let now = chrono::Utc::now();
            use chrono::{Datelike as _, Timelike as _};
            (200, envelope(&format!(
                "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>{}</tt:Hour><tt:Minute>{}</tt:Minute><tt:Second>{}</tt:Second></tt:Time><tt:Date><tt:Year>{}</tt:Year><tt:Month>{}</tt:Month><tt:Day>{}</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>",
                now.hour(), now.minute(), now.second(), now.year(), now.month(), now.day()
            )))
        } else if has("GetDeviceInformation") {
            (200, envelope("<tds:GetDeviceInformationResponse><tds:Manufacturer>Dahua</tds:Manufacturer><tds:Model>DHI-NVR4212</tds:Model><tds:FirmwareVersion>3.216.0000000.0</tds:FirmwareVersion><tds:SerialNumber>4G0123PAZ00000</tds:SerialNumber><tds:HardwareId>1.00</tds:HardwareId></tds:GetDeviceInformationResponse>"))
        } else if has("GetServices") {
            // The NVR names its factory address; the reader must use the one it reached.
            (200, envelope("<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>http://192.168.1.108/onvif/device_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>42</tt:Minor></tds:Version></tds:Service><tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>http://192.168.1.108/onvif/media_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>42</tt:Minor></tds:Version></tds:Service></tds:GetServicesResponse>"))
        } else if has("GetProfiles") {
            (200, profiles.clone())
        } else if has("GetVideoEncoderConfigurations") {
            (200, encoders.clone())
        } else {
            (500, not_supported.clone())
        }
    })
    .await;

    let target = Target::new(format!("http://{addr}/onvif/device_service"));
    let opts = ReadOptions {
        timeout: Duration::from_secs(5),
        ..ReadOptions::default()
    };
    let s = read_device(&target, &opts).await;
    assert_eq!(s.identity.manufacturer.as_deref(), Some("Dahua"));
    let media = s
        .services
        .iter()
        .find(|x| x.namespace == "http://www.onvif.org/ver10/media/wsdl")
        .unwrap();
    assert_eq!(media.xaddr, format!("http://{addr}/onvif/media_service"));
    assert_eq!(s.profiles.len(), 36);
    let with_encoder: Vec<_> = s
        .profiles
        .iter()
        .filter_map(|p| p.video_encoder.as_ref())
        .collect();
    assert_eq!(with_encoder.len(), 12);
    for e in with_encoder {
        let i: u32 = e.token[..3].parse().unwrap();
        assert_eq!(e.encoding, Some(Codec::H264), "{e:?}");
        assert_eq!((e.width, e.height), (Some(2000 + i), Some(1536)), "{e:?}");
        assert_eq!(e.bitrate_kbps, Some(4096));
        assert_eq!(e.session_timeout.as_deref(), Some("PT60S"));
    }
    // Everything else the NVR refuses, each refusal recorded with the capture's subcodes.
    assert!(!s.errors.is_empty());
    for e in &s.errors {
        assert!(
            e.operation.starts_with("media.") || e.operation.starts_with("device."),
            "{e:?}"
        );
        assert!(
            e.reason
                .contains("ter:ActionNotSupported/ter:NotImplemented"),
            "{e:?}"
        );
    }
}
