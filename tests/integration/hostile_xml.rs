//! Hostile XML from one device is that device's error: a raw HTTP server on 127.0.0.1:0 (tokio
//! `TcpListener`) answers every request with a document built to exhaust memory, next to a
//! healthy mock camera read in the same run.

use std::time::Duration;

use camswap::credentials::{Login, Secret};
use camswap::inventory::reader::{ReadOptions, Target, read_all};
use camswap::soap::{ClientConfig, SoapClient, SoapError};
use mock_devices::{Fleet, FleetSpec, Persona};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";

/// Issue 10, item 1: 1,000 prefixes on the envelope, then 10,000 siblings in the payload that
/// each declare one more (the reader before shared scopes needed 1.5 GB for this).
fn namespace_declaration_bomb() -> Vec<u8> {
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

/// 15 MiB of `<a/>` inside a SOAP body, under the client's 16 MiB cap (731 MB before).
fn empty_element_flood() -> Vec<u8> {
    let mut doc = format!(r#"<s:Envelope xmlns:s="{SOAP12}"><s:Body><r>"#).into_bytes();
    while doc.len() < 15 << 20 {
        doc.extend_from_slice(b"<a/>");
    }
    doc.extend_from_slice(b"</r></s:Body></s:Envelope>");
    doc
}

/// Answers every HTTP request on a fresh loopback port with `body` (HTTP 200); returns the
/// device service address.
async fn hostile_server(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body = std::sync::Arc::new(body);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                // Read the request head and whatever body arrives with it; the answer does
                // not depend on it.
                let mut buf = vec![0u8; 64 * 1024];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ =
                    tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buf)).await;
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

#[tokio::test]
async fn namespace_declaration_bomb_is_one_devices_error() {
    let url = hostile_server(namespace_declaration_bomb()).await;
    let client = SoapClient::new("bomb", ClientConfig::default()).unwrap();
    let err = client
        .call_unauthenticated(
            &url,
            "http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime",
            &format!(r#"<tds:GetSystemDateAndTime xmlns:tds="{TDS}"/>"#),
        )
        .await
        .expect_err("the bomb is refused");
    assert!(matches!(err, SoapError::NotXml { .. }), "{err:?}");
    let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
    assert!(chain.contains("memory"), "{chain}");
    assert!(chain.starts_with("bomb: "), "{chain}");
}

#[tokio::test]
async fn empty_element_flood_is_one_devices_error() {
    let url = hostile_server(empty_element_flood()).await;
    let client = SoapClient::new("flood", ClientConfig::default()).unwrap();
    let err = client
        .call_unauthenticated(
            &url,
            "http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime",
            &format!(r#"<tds:GetSystemDateAndTime xmlns:tds="{TDS}"/>"#),
        )
        .await
        .expect_err("the flood is refused");
    // Refused at the end of the element past the limit: the envelope, the body and the root
    // come first, then the `<a/>`.
    let first = empty_element_flood()
        .windows(4)
        .position(|w| w == b"<a/>")
        .unwrap();
    let max = camswap::soap::xml::MAX_ELEMENTS;
    let source = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(
        source,
        Some(format!(
            "more than {max} elements in one document (refused at byte {})",
            first + 4 * (max + 1 - 3)
        )),
        "{err}"
    );
}

#[tokio::test]
async fn hostile_devices_fail_alone_and_the_healthy_one_is_read() {
    let bomb = hostile_server(namespace_declaration_bomb()).await;
    let flood = hostile_server(empty_element_flood()).await;
    let persona = Persona::builtin("axis-p3265-lve").expect("built-in persona");
    let fleet = Fleet::start(FleetSpec::round_robin(
        std::slice::from_ref(&persona),
        1,
        std::net::Ipv4Addr::new(127, 0, 61, 1),
    ))
    .await
    .expect("mock camera starts");
    let healthy = fleet.xaddrs().await.remove(0);
    let login = Login {
        username: "admin".into(),
        password: Secret::new("camswap-demo"),
    };
    let targets: Vec<Target> = [&bomb, &flood, &healthy]
        .into_iter()
        .map(|xaddr| Target {
            xaddr: xaddr.clone(),
            endpoint: None,
            login: Some(login.clone()),
        })
        .collect();
    let snapshots = read_all(&targets, &ReadOptions::default(), &|_, _| {}).await;
    assert_eq!(snapshots.len(), 3);
    let by_xaddr = |x: &str| {
        snapshots
            .iter()
            .find(|s| s.xaddr == x)
            .unwrap_or_else(|| panic!("no snapshot for {x}"))
    };
    let good = by_xaddr(&healthy);
    assert!(good.errors.is_empty(), "{:?}", good.errors);
    assert_eq!(
        good.identity.model.as_deref(),
        Some(persona.identity.model.as_str())
    );
    // The recorded reason says "not XML"; the XML reader's cause (the limit, asserted above)
    // reaches the inventory once item 9 ("non-XML answers lose the cause") is done.
    for (x, what) in [(&bomb, "is not XML"), (&flood, "is not XML")] {
        let s = by_xaddr(x);
        assert!(s.identity.serial_number.is_none(), "{x}");
        assert!(
            s.errors.iter().any(|e| e.reason.contains(what)),
            "{x}: {:?}",
            s.errors
        );
    }
}
