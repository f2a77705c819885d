//! The fleet control endpoint, plain HTTP, for tests and demos:
//!
//! | Request | Effect | Answer |
//! |---|---|---|
//! | `POST /swap?address=IP&persona=NAME[&at=IP2]` | the device at IP is replaced by a factory-default device of NAME on the same address and port (or on IP2, where a factory-default unit boots) | `{"address","persona","xaddr"}` |
//! | `POST /fault?address=IP&kind=reboot\|drop\|latency\|garbage\|move_delay&value=N` | inject a fault (`value`: seconds for reboot, milliseconds for latency and for move_delay, how long SetNetworkInterfaces keeps the device away when it moves it) | `{"address","kind","value"}` |
//! | `POST /fault/clear?address=IP` | remove drop, garbage, latency and move_delay faults | `{"address"}` |
//! | `GET /log?address=IP` | the operations the device received | `[{"name","namespace","time","status"}]` |
//!
//! Errors are JSON `{"error": "..."}` with 400 (bad parameters), 404 (no such device or
//! path) or 405 (wrong method).

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::roster::{FleetError, Roster};
use crate::server::InjectedFault;

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Roster>) {
    // Connection tasks live in this set, so aborting the endpoint ends them too.
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let shared = Arc::clone(&shared);
                conns.spawn(async move {
                    let service = service_fn(move |req| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, std::convert::Infallible>(handle(&shared, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(format!("{body}\n"))));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response<Full<Bytes>> {
    json_response(status, &json!({ "error": message.to_string() }))
}

/// Query parameters, percent-decoded.
fn query(req: &Request<Incoming>) -> Vec<(String, String)> {
    req.uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn fleet_error(e: &FleetError) -> Response<Full<Bytes>> {
    let status = match e {
        FleetError::NoDevice(_) => StatusCode::NOT_FOUND,
        FleetError::Busy(_) => StatusCode::CONFLICT,
        FleetError::Persona(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, e)
}

async fn handle(shared: &Roster, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let params = query(&req);
    let path = req.uri().path().to_string();
    let expected = match path.as_str() {
        "/swap" | "/fault" | "/fault/clear" => Method::POST,
        "/log" => Method::GET,
        _ => return error(StatusCode::NOT_FOUND, format!("no such endpoint: {path}")),
    };
    if req.method() != expected {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{path} takes {expected}"),
        );
    }
    let Some(address) = param(&params, "address") else {
        return error(StatusCode::BAD_REQUEST, "missing parameter `address`");
    };
    let Ok(ip) = address.parse::<Ipv4Addr>() else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("`{address}` is not an IPv4 address"),
        );
    };
    match path.as_str() {
        "/swap" => {
            let Some(name) = param(&params, "persona") else {
                return error(StatusCode::BAD_REQUEST, "missing parameter `persona`");
            };
            let persona = match shared.persona(name) {
                Ok(p) => p,
                Err(e) => return fleet_error(&e),
            };
            let at = match param(&params, "at").map(str::parse::<Ipv4Addr>) {
                None => None,
                Some(Ok(a)) => Some(a),
                Some(Err(_)) => {
                    return error(StatusCode::BAD_REQUEST, "`at` is not an IPv4 address");
                }
            };
            match shared.swap(ip, persona, at).await {
                Ok(addr) => {
                    let now = at.unwrap_or(ip);
                    let xaddr = shared
                        .with_device(now, |d| d.xaddr())
                        .await
                        .unwrap_or_default();
                    json_response(
                        StatusCode::OK,
                        &json!({ "address": addr.to_string(), "persona": name, "xaddr": xaddr }),
                    )
                }
                Err(e) => fleet_error(&e),
            }
        }
        "/fault" => {
            let kind = param(&params, "kind").unwrap_or("");
            let value = param(&params, "value");
            let number = match value.map(str::parse::<u64>) {
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "`value` must be a whole number, not `{}`",
                            value.unwrap_or("")
                        ),
                    );
                }
                None => None,
            };
            let fault = match (kind, number) {
                ("reboot", Some(s)) => InjectedFault::Reboot(Duration::from_secs(s)),
                ("latency", Some(ms)) => InjectedFault::Latency(Duration::from_millis(ms)),
                ("move_delay", Some(ms)) => InjectedFault::MoveDelay(Duration::from_millis(ms)),
                ("reboot" | "latency" | "move_delay", None) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "kind={kind} needs `value` ({})",
                            if kind == "reboot" {
                                "seconds"
                            } else {
                                "milliseconds"
                            }
                        ),
                    );
                }
                ("drop", _) => InjectedFault::Drop,
                ("garbage", _) => InjectedFault::Garbage,
                _ => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "`kind` must be reboot, drop, latency, garbage or move_delay, not `{kind}`"
                        ),
                    );
                }
            };
            match shared.with_device(ip, |d| d.set_fault(fault)).await {
                Ok(()) => json_response(
                    StatusCode::OK,
                    &json!({ "address": address, "kind": kind, "value": number }),
                ),
                Err(e) => fleet_error(&e),
            }
        }
        "/fault/clear" => match shared.with_device(ip, |d| d.clear_faults()).await {
            Ok(()) => json_response(StatusCode::OK, &json!({ "address": address })),
            Err(e) => fleet_error(&e),
        },
        _ => match shared.with_device(ip, |d| d.log()).await {
            Ok(log) => json_response(
                StatusCode::OK,
                &serde_json::to_value(log).unwrap_or_default(),
            ),
            Err(e) => fleet_error(&e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding_handles_escapes_plus_and_stray_percent() {
        assert_eq!(percent_decode("127.0.2.1"), "127.0.2.1");
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
